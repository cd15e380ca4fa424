/**
 * The refresh scheduler: a BullMQ job scheduler (repeatable job, `every` refreshMs) on its own
 * queue; whichever aggregator's worker takes the job runs one refresh. Also exposes
 * runRefreshOnce() for tools and tests.
 */
import type { Logger, RedisClient } from '@event-analytics/ops'
import type { Database } from '@event-analytics/db'
import { Queue, Worker } from 'bullmq'
import type { Kysely } from 'kysely'
import type { Registry } from 'prom-client'
import { HealthReporter, createBreakers, shutdownBreakers } from './breaker.js'
import type { ProviderBreakers } from './breaker.js'
import { CHANNEL_TYPES } from './config.js'
import type { ChannelMetricsConfig } from './config.js'
import { createChannelMetricsMetrics } from './metrics.js'
import type { ChannelMetricsMetrics } from './metrics.js'
import { runRefresh } from './run.js'
import type { RefreshSummary } from './run.js'

export const CHANNEL_METRICS_QUEUE_NAME = 'channel-metrics-refresh'
export const CHANNEL_METRICS_SCHEDULER_ID = 'channel-metrics-refresh'

export interface ChannelMetricsRefresher {
  readonly queue: Queue
  readonly breakers: ProviderBreakers
  readonly metrics: ChannelMetricsMetrics
  /** Registers the job scheduler, starts the worker, reports every breaker closed. */
  start(): Promise<void>
  /** One refresh now; resolves after its breaker transitions are persisted. */
  runRefreshOnce(): Promise<RefreshSummary>
  close(): Promise<void>
}

export interface RefresherDeps {
  readonly config: ChannelMetricsConfig
  readonly db: Kysely<Database>
  readonly cache: RedisClient
  readonly changesChannel: string
  /** The queue Redis (BullMQ shares it; the aggregator closes it). */
  readonly queueConnection: RedisClient
  /**
   * Whether this aggregator's projection set is live (default: always). Only the live set's
   * aggregator asks the providers: the switch carries their metrics over to the set it makes live.
   */
  readonly isLive?: () => boolean
  readonly queuePrefix: string
  readonly registry: Registry
  readonly logger: Logger
}

export function createChannelMetricsRefresher(deps: RefresherDeps): ChannelMetricsRefresher {
  const { config, db, cache, logger } = deps
  const metrics = createChannelMetricsMetrics(deps.registry)
  const health = new HealthReporter(db, { redis: cache, changesChannel: deps.changesChannel }, metrics, logger)
  const breakers = createBreakers(config, health)
  const queue = new Queue(CHANNEL_METRICS_QUEUE_NAME, { connection: deps.queueConnection, prefix: deps.queuePrefix })
  queue.on('error', (error) => logger.warn({ err: error }, 'channel metrics queue error'))
  let worker: Worker | undefined

  const runRefreshOnce = async (): Promise<RefreshSummary> => {
    try {
      return await runRefresh({ db, cache, changesChannel: deps.changesChannel, config, breakers, metrics, logger })
    } finally {
      await health.flush()
    }
  }

  return {
    queue,
    breakers,
    metrics,
    async start() {
      // A new process starts with closed breakers: overwrite what a dead one may have left.
      for (const type of CHANNEL_TYPES) health.report(type, 'closed')
      await health.flush()
      await queue.upsertJobScheduler(
        CHANNEL_METRICS_SCHEDULER_ID,
        { every: config.refreshMs },
        { name: 'refresh', opts: { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } } },
      )
      worker = new Worker(CHANNEL_METRICS_QUEUE_NAME, async () => (deps.isLive?.() === false ? null : runRefreshOnce()), {
        connection: deps.queueConnection,
        prefix: deps.queuePrefix,
        concurrency: 1,
      })
      worker.on('error', (error) => logger.warn({ err: error }, 'channel metrics worker error'))
      worker.on('failed', (_job, error) => logger.warn({ err: error }, 'channel metrics refresh failed'))
      logger.info({ every: config.refreshMs }, 'channel metrics refresh scheduled')
    },
    runRefreshOnce,
    async close() {
      await worker?.close()
      await queue.close()
      shutdownBreakers(breakers)
      await health.flush()
    },
  }
}
