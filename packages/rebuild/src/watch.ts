/**
 * The run's progress loop: every interval it reads the rebuild's and the live group's offsets,
 * updates the rate estimate and /metrics, tells the command line, and marks the set `ready` the
 * first time the rebuild is as far as the live group (within `caughtUpLag`). A reading slower
 * than the interval (a loaded broker) skips the ticks it overlaps.
 */
import { markProjectionSet, type Database } from '@event-analytics/db'
import { runEvery, type Logger } from '@event-analytics/ops'
import type { Admin } from 'kafkajs'
import type { Kysely } from 'kysely'
import { readOffsets } from './kafka.js'
import type { RebuildMetrics } from './metrics.js'
import { RateEstimator, progressOf, type Progress } from './progress.js'

export interface ProgressSample {
  readonly progress: Progress
  /** The live group's lag, for comparison. */
  readonly liveLag: number
  readonly rate: number | undefined
  readonly etaSeconds: number | undefined
  readonly caughtUp: boolean
}

export interface ProgressWatch {
  /** Resolves with the first reading that is caught up (the set is then marked ready). */
  readonly caughtUp: Promise<ProgressSample>
  /** Stops the loop and waits for a reading in flight. */
  stop(): Promise<void>
}

export interface WatchDeps {
  readonly db: Kysely<Database>
  readonly admin: Admin
  readonly set: string
  readonly groupId: string
  readonly liveGroupId: string
  readonly topics: readonly string[]
  readonly caughtUpLag: number
  readonly intervalMs: number
  readonly metrics: RebuildMetrics
  readonly logger: Logger
  readonly onProgress?: ((sample: ProgressSample) => void) | undefined
}

export function watchProgress(deps: WatchDeps): ProgressWatch {
  const estimator = new RateEstimator()
  let caughtUp = false
  let resolveCaughtUp: (sample: ProgressSample) => void = () => undefined
  const caughtUpPromise = new Promise<ProgressSample>((resolve) => (resolveCaughtUp = resolve))
  const sample = async (): Promise<void> => {
    const progress = progressOf(await readOffsets(deps.admin, deps.groupId, deps.topics))
    const liveLag = progressOf(await readOffsets(deps.admin, deps.liveGroupId, deps.topics)).lag
    estimator.add(Date.now(), progress.done)
    const isCaughtUp = progress.lag <= liveLag + deps.caughtUpLag
    const current = { progress, liveLag, rate: estimator.rate(), etaSeconds: estimator.etaSeconds(progress.lag), caughtUp: isCaughtUp }
    deps.metrics.record(progress, current.rate, current.etaSeconds, isCaughtUp)
    deps.onProgress?.(current)
    if (isCaughtUp && !caughtUp) {
      caughtUp = true
      await markProjectionSet(deps.db, deps.set, 'ready')
      deps.logger.info({ set: deps.set, lag: progress.lag, liveLag }, 'rebuild caught up with the live group')
      resolveCaughtUp(current)
    }
  }
  const loop = runEvery(sample, {
    intervalMs: deps.intervalMs,
    onError: (error) => deps.logger.warn({ err: error }, 'could not read the rebuild progress'),
  })
  return {
    caughtUp: caughtUpPromise,
    stop: () => loop.stop(),
  }
}
