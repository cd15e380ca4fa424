/**
 * Returning participants off the hot path (docs/SPEC.md section 9a): every interval, fold a chunk
 * of the registration log into event_participants (packages/db foldRegistrations), then invalidate
 * the views of the events whose new/returning split the fold may have changed: every event of the
 * owners whose events gained or moved a participation.
 *
 * Why chunks: the fold's index work per registration is as large as an in-path upsert's. Folding
 * everything at once under sustained load was one transaction of seconds (about 10 s for 350,000
 * registrations in the bench) that held a database core and pushed the live path's freshness past
 * its bound. A chunk per interval spreads the same work; while this process commits no batch the
 * chunks run back to back, so an idle pipeline's figures catch up at once.
 */
import type { ChangedProjection } from '@event-analytics/contracts'
import { foldRegistrations } from '@event-analytics/db'
import type { Database } from '@event-analytics/db'
import { invalidateProjections, runEvery, type Logger, type Periodic, type RedisClient } from '@event-analytics/ops'
import type { Kysely } from 'kysely'
import { cacheKeysOf } from './invalidate.js'

export interface ReturningFoldDeps {
  readonly db: Kysely<Database>
  readonly cache: RedisClient
  readonly changesChannel: string
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>
  readonly intervalMs: number
  /** Registrations per fold transaction (whole log rows, at least one). */
  readonly maxRegistrations: number
  /** When this process last committed a batch (epoch ms; 0: never). */
  readonly lastCommitAt: () => number
  /** Whether this aggregator's projection set is live (default: always); see AlertMonitorOptions.isLive. */
  readonly isLive?: () => boolean
}

export interface ReturningFold {
  /** One chunk and its invalidations; null when another fold held the lock. Throws on failure. */
  runOnce(): Promise<{ emptied: boolean } | null>
  start(): void
  close(): Promise<void>
}

export function createReturningFold(deps: ReturningFoldDeps): ReturningFold {
  // Invalidations of a committed fold that failed (Redis away): sent again with the next fold.
  let pending = new Map<string, ChangedProjection>()
  let loop: Periodic | undefined
  let closed = false

  const runOnce = async (): Promise<{ emptied: boolean } | null> => {
    const result = await foldRegistrations(deps.db, { maxRegistrations: deps.maxRegistrations })
    if (result !== null) for (const [eventId, userId] of result.affected) pending.set(eventId, { eventId, userId, channelNames: [] })
    // Only the live set is read: a rebuild's folds announce nothing (the switch invalidates everything).
    if (deps.isLive?.() === false) pending = new Map()
    if (pending.size > 0) {
      const changes = [...pending.values()]
      await invalidateProjections(deps.cache, cacheKeysOf(changes), {
        channel: deps.changesChannel,
        eventIds: changes.map((change) => change.eventId),
      })
      deps.logger.debug({ events: changes.length, participations: result?.changed ?? 0 }, 'returning participants folded')
      pending = new Map()
    }
    return result === null ? null : { emptied: result.emptied }
  }

  /** Chunks until the log is empty, another fold holds the lock, or this process is committing batches. */
  const foldChunks = async (): Promise<void> => {
    for (;;) {
      const result = await runOnce()
      if (result === null || result.emptied || closed) return
      if (Date.now() - deps.lastCommitAt() < deps.intervalMs) return
    }
  }

  return {
    runOnce,
    start() {
      loop ??= runEvery(foldChunks, {
        intervalMs: deps.intervalMs,
        onError: (error) => deps.logger.warn({ err: error }, 'returning-participants fold failed; retried next interval'),
      })
    },
    async close() {
      closed = true
      await loop?.stop()
    },
  }
}
