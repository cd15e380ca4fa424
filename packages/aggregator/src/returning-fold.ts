/**
 * Returning participants off the hot path (docs/SPEC.md section 9a): every interval in which this
 * process committed no batch (else at the latest after maxDeferMs), fold the
 * registration log into event_participants (packages/db foldRegistrations), then invalidate the
 * views of the events whose new/returning split the fold may have changed: every event of the
 * owners whose events gained or moved a participation.
 */
import type { ChangedProjection } from '@event-analytics/contracts'
import { foldRegistrations } from '@event-analytics/db'
import type { Database } from '@event-analytics/db'
import { invalidateProjections, type Logger, type RedisClient } from '@event-analytics/ops'
import type { Kysely } from 'kysely'
import { cacheKeysOf } from './invalidate.js'

export interface ReturningFoldDeps {
  readonly db: Kysely<Database>
  readonly cache: RedisClient
  readonly changesChannel: string
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>
  readonly intervalMs: number
  /**
   * The longest a fold is deferred while batches are committed (0: never deferred). Bursts keep
   * the database for the apply path; the asOf says how far behind the figures are.
   */
  readonly maxDeferMs: number
  /** When this process last committed a batch (epoch ms; 0: never). */
  readonly lastCommitAt: () => number
  /** Whether this aggregator's projection set is live (default: always); see AlertMonitorOptions.isLive. */
  readonly isLive?: () => boolean
}

export interface ReturningFold {
  /** One fold and its invalidations; false when another fold held the lock. Throws on failure. */
  runOnce(): Promise<boolean>
  start(): void
  close(): Promise<void>
}

/**
 * Whether a tick folds: when this process committed no batch for a whole interval, or when the
 * last fold is maxDeferMs old (0: always).
 */
export function foldDue(
  now: number,
  lastCommitAt: number,
  lastFoldAt: number,
  timing: Pick<ReturningFoldDeps, 'intervalMs' | 'maxDeferMs'>,
): boolean {
  return now - lastCommitAt >= timing.intervalMs || now - lastFoldAt >= timing.maxDeferMs
}

export function createReturningFold(deps: ReturningFoldDeps): ReturningFold {
  // Invalidations of a committed fold that failed (Redis away): sent again with the next fold.
  let pending = new Map<string, ChangedProjection>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  let lastFoldAt = Date.now()

  const runOnce = async (): Promise<boolean> => {
    const result = await foldRegistrations(deps.db)
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
    return result !== null
  }

  const tick = (): void => {
    const now = Date.now()
    if (!foldDue(now, deps.lastCommitAt(), lastFoldAt, deps)) return
    lastFoldAt = now
    running = runOnce().catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'returning-participants fold failed; retried next interval'),
    )
  }

  return {
    runOnce,
    start() {
      timer = setInterval(tick, deps.intervalMs)
      timer.unref()
    },
    async close() {
      clearInterval(timer)
      await running
    },
  }
}
