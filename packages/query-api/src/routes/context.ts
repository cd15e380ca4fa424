import type { Database } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import type { ApiConfig } from '../config.js'
import type { TimeZoneRegistry } from '../time-zones.js'
import type { ReturningMemo } from '../cache/returning-memo.js'

/** What every route module is registered with. */
export interface RouteContext {
  db: Kysely<Database>
  config: ApiConfig
  /** Clock (tests pin it). */
  now: () => Date
  /** The tz names the timeline accepts (PostgreSQL's, cached). */
  timeZones: TimeZoneRegistry
  /** Each event's returning split, kept per version (cache/returning-memo.ts). */
  returning: ReturningMemo
}
