/**
 * Whether the projection set this aggregator writes is the live one (packages/db/src/sets), read
 * from PostgreSQL at start and then every `intervalMs`. The side effects that only the live set may
 * cause (alerts, provider refreshes, the returning fold's announcements) ask it; batch
 * invalidations of a rebuild's set do not rely on it, they read the flag in their transaction.
 */
import { readLiveSet } from '@event-analytics/db'
import type { Database } from '@event-analytics/db'
import { runEvery, type Logger, type Periodic } from '@event-analytics/ops'
import type { Kysely } from 'kysely'
import type { Gauge } from 'prom-client'

export interface SetLiveness {
  readonly set: string
  isLive(): boolean
  /** Reads the pointer now; never throws (a failed read keeps the last answer). */
  refresh(): Promise<void>
  start(): Promise<void>
  /** Stops the reads; resolves once the one in flight, if any, has ended. */
  close(): Promise<void>
}

export function createSetLiveness(deps: {
  db: Kysely<Database>
  set: string
  intervalMs: number
  logger: Pick<Logger, 'info' | 'warn'>
  gauge: Gauge<'set'>
}): SetLiveness {
  // Public starts live (a database migrated before projection sets behaves as it always did); a rebuild's set does not.
  let live = deps.set === 'public'
  let loop: Periodic | undefined
  deps.gauge.set({ set: deps.set }, live ? 1 : 0)
  const refresh = async (): Promise<void> => {
    try {
      const now = (await readLiveSet(deps.db)) === deps.set
      if (now !== live) deps.logger.info({ set: deps.set, live: now }, now ? 'projection set is live' : 'projection set is no longer live')
      live = now
      deps.gauge.set({ set: deps.set }, live ? 1 : 0)
    } catch (error) {
      deps.logger.warn({ err: error, set: deps.set }, 'could not read the live projection set; keeping the last answer')
    }
  }
  return {
    set: deps.set,
    isLive: () => live,
    refresh,
    async start() {
      await refresh()
      // refresh() reports its own failures and never rejects.
      loop ??= runEvery(refresh, { intervalMs: deps.intervalMs, onError: () => undefined })
    },
    async close() {
      await loop?.stop()
    },
  }
}
