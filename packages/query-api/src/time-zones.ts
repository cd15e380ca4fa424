/**
 * Which `tz` the timeline accepts: the names PostgreSQL's tz database knows (it cuts the
 * buckets), read once per process and cached. Intl's `supportedValuesOf('timeZone')` is not
 * the source: it lists CLDR's canonical names only (Asia/Calcutta, not Asia/Kolkata).
 */
import type { Kysely } from 'kysely'
import { readTimeZoneNames } from '@event-analytics/db'
import { canComputeZone } from './projections/timeline.js'

export interface TimeZoneRegistry {
  /** Exact, case-sensitive: one spelling per zone keeps one cache field per zone. */
  isKnown(zone: string): Promise<boolean>
}

export function timeZoneRegistry<DB>(db: Kysely<DB>): TimeZoneRegistry {
  let names: Promise<ReadonlySet<string>> | undefined
  const load = async (): Promise<ReadonlySet<string>> => {
    const all = await readTimeZoneNames(db)
    // The range rules run in Node: a zone newer than Node's own tz data could not be computed.
    return new Set(all.filter(canComputeZone))
  }
  return {
    async isKnown(zone) {
      names ??= load()
      // A failed read (PostgreSQL down) is not cached: the request gets a 503, the next one retries.
      const known = await names.catch((error: unknown) => {
        names = undefined
        throw error
      })
      return known.has(zone)
    },
  }
}
