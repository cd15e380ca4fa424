/** Wiring and lifecycle: start, drain (finish the in-flight batches), close (release everything). */
import { DEFAULT_CHANGES_CHANNEL } from '@event-analytics/contracts'
import type { IngestBatchJob } from '@event-analytics/contracts'
import { PUBLIC_SET, assertProjectionSet, closeDb, createDb, pingDatabase, runDedupeMaintenance } from '@event-analytics/db'
import type { Database } from '@event-analytics/db'
import {
  DEFAULT_STARTUP_DEADLINE_MS,
  startOpsServer,
  checkQueueRedis,
  probeRedis,
  UnsafeQueueRedisError,
  waitForDependencies,
  clusterQueuePrefix,
  createLogger,
  createRedisClient,
  type Logger,
  type RedisClient,
  type RedisEndpoint,
} from '@event-analytics/ops'
import type { OpsServer } from '@event-analytics/ops'
import { Worker } from 'bullmq'
import type { Kysely } from 'kysely'
import { DEFAULT_AGGREGATOR_CONCURRENCY, DEFAULT_ALERTS_INTERVAL_MS } from './config.js'
import type { AggregatorConfig } from './config.js'
import { AlertMonitor } from './alerts/evaluate.js'
import { createChannelMetricsRefresher } from './channel-metrics/refresh.js'
import type { ChannelMetricsRefresher } from './channel-metrics/refresh.js'
import { BatchConsumer, SerialGate } from './consumer.js'
import { createMetrics } from './metrics.js'
import { createReturningFold } from './returning-fold.js'
import { createSetLiveness } from './set-liveness.js'
import type { AggregatorMetrics } from './metrics.js'

export interface Aggregator {
  readonly metrics: AggregatorMetrics
  /** Port of /health, /ready, /metrics once started (null when disabled). */
  readonly opsPort: number | null
  /** External channel metrics (docs/SPEC.md section 7); null when disabled or not configured. */
  readonly channelMetrics: ChannelMetricsRefresher | null
  /** Alert evaluation (docs/SPEC.md section 9a): after each batch, and on its clock. */
  readonly alerts: AlertMonitor
  start(): Promise<void>
  /** Stops fetching jobs and waits for the in-flight batches to be committed and settled. */
  drain(): Promise<void>
  /** drain(), then closes the worker, ops server, Redis and PostgreSQL. Idempotent. */
  close(): Promise<void>
}

export interface AggregatorOverrides {
  readonly logger?: Logger
  /** Defaults to true; tests with several aggregators in a process turn it off. */
  readonly defaultMetrics?: boolean
}

/** How often an aggregator looks whether its projection set is live (alerts, provider refreshes follow within this). */
const SET_LIVENESS_INTERVAL_MS = 1000

export function createAggregator(config: AggregatorConfig, overrides: AggregatorOverrides = {}): Aggregator {
  const logger = overrides.logger ?? createLogger('aggregator', config.logLevel)
  const metrics = createMetrics(overrides.defaultMetrics ?? true)
  const projectionSet = config.projectionSet ?? PUBLIC_SET
  const db = createDb(config.databaseUrl, {
    applicationName: projectionSet === PUBLIC_SET ? 'aggregator' : `aggregator:${projectionSet}`,
    projectionSet,
    onPoolError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
  })
  const { queueRedis, cacheRedis } = redisEndpointsOf(config)
  // The ingest worker derives its prefix the same way, so both open the same queue.
  const queuePrefix = clusterQueuePrefix(config.queuePrefix, queueRedis)
  // Invalidations (batches, channel metrics, breaker transitions) go where the API caches.
  const cache = createRedisClient(cacheRedis, { maxRetriesPerRequest: 3, lazyConnect: true })
  cache.on('error', (error) => logger.warn({ err: error }, 'redis cache connection error'))
  // ioredis parses the URL (rediss://, credentials, db); BullMQ needs maxRetriesPerRequest null
  // for its blocking commands, shares this connection and duplicates it where it must block.
  const queueConnection = createRedisClient(queueRedis, { maxRetriesPerRequest: null })
  queueConnection.on('error', (error) => logger.warn({ err: error }, 'queue Redis connection error'))
  const worker = new Worker<IngestBatchJob>(config.queueName, null, {
    connection: queueConnection,
    prefix: queuePrefix,
    autorun: false,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    // Replays are harmless (claims), so a job that stalled a few times (crashes) must not be failed.
    maxStalledCount: config.maxStalledCount,
    // Bounds how long drain() can wait for an idle blocking fetch.
    drainDelay: 1,
  })
  worker.on('error', (error) => logger.warn({ err: error }, 'bullmq worker error'))
  const changesChannel = config.changesChannel ?? DEFAULT_CHANGES_CHANNEL
  // Each loop collects and applies its own batch; they share the worker, the pool and the
  // metrics. Concurrent batches cannot deadlock each other: every batch takes its locks in the
  // one global order of packages/db (claims, events, channels, timeline), as separate
  // aggregator processes always did.
  const blockingFetchGate = new SerialGate()
  const liveness = createSetLiveness({
    db,
    set: projectionSet,
    intervalMs: SET_LIVENESS_INTERVAL_MS,
    logger,
    gauge: metrics.projectionSetLive,
  })
  const isLive = liveness.isLive
  const alerts = new AlertMonitor({
    isLive,
    db,
    cache,
    changesChannel,
    intervalMs: config.alertsIntervalMs ?? DEFAULT_ALERTS_INTERVAL_MS,
    ...(config.alertsBatchGapMs === undefined ? {} : { batchGapMs: config.alertsBatchGapMs }),
    logger: logger.child({ component: 'alerts' }),
    passSeconds: metrics.alertPassSeconds,
  })
  let lastCommitAt = 0
  const consumers = Array.from(
    { length: config.concurrency ?? DEFAULT_AGGREGATOR_CONCURRENCY },
    () =>
      new BatchConsumer({
        worker,
        db,
        cache,
        metrics,
        logger,
        changesChannel,
        batchMaxMessages: config.batchMaxMessages,
        batchMaxWaitMs: config.batchMaxWaitMs,
        lockDurationMs: config.lockDurationMs,
        blockingFetchGate,
        alerts,
        checkLive: projectionSet !== PUBLIC_SET,
        onCommitted: () => {
          lastCommitAt = Date.now()
        },
      }),
  )
  const drainConsumers = async (): Promise<void> => {
    await Promise.all(consumers.map((consumer) => consumer.drain()))
  }
  const channelMetrics = config.channelMetrics?.enabled
    ? createChannelMetricsRefresher({
        config: config.channelMetrics,
        db,
        cache,
        changesChannel,
        queueConnection,
        queuePrefix,
        isLive,
        registry: metrics.registry,
        logger: logger.child({ component: 'channel-metrics' }),
      })
    : null
  const returningFold = createReturningFold({
    db,
    cache,
    changesChannel,
    logger: logger.child({ component: 'returning-fold' }),
    intervalMs: config.returningFoldIntervalMs ?? 1_000,
    maxRegistrations: config.returningFoldMaxRegistrations ?? 10_000,
    lastCommitAt: () => lastCommitAt,
    isLive,
  })
  let ops: OpsServer | undefined
  let closing: Promise<void> | undefined
  let maintenanceTimer: NodeJS.Timeout | undefined
  const starting = new AbortController()
  /** Never throws: a failed pass (PostgreSQL restarting) is logged and done again next time. */
  const maintain = async (): Promise<void> => {
    try {
      const result = await runDedupeMaintenance(db, new Date(), { logger })
      if (result.epoch.rolled || result.droppedPartitions.length > 0)
        logger.info({ dedupeDay: result.epoch.currentDay, dropped: result.droppedPartitions }, 'dedupe maintenance')
    } catch (error) {
      logger.warn({ err: error }, 'dedupe maintenance failed; retried at the next interval')
    }
  }

  return {
    metrics,
    channelMetrics,
    alerts,
    get opsPort() {
      return ops?.port ?? null
    },
    async start() {
      await waitForDependencies(
        [
          {
            name: 'queue',
            probe: () =>
              probeRedis(queueRedis, (client) =>
                checkQueueRedis(client, { allowEviction: config.queueRedisAllowEviction ?? false, logger }),
              ),
            shouldRetry: (error) => !(error instanceof UnsafeQueueRedisError),
          },
          {
            name: 'cache',
            probe: async () => {
              // The service's client reconnects on its own once connected; it is connected once, after a probe answered.
              await probeRedis(cacheRedis)
              if (cache.status === 'wait') await cache.connect()
              else await cache.ping()
            },
          },
          { name: 'postgres', probe: () => pingDatabase(db) },
        ],
        { deadlineMs: config.startupDeadlineMs ?? DEFAULT_STARTUP_DEADLINE_MS, logger, signal: starting.signal },
      )
      // Not waited for: a set that does not exist will not appear by waiting.
      await assertProjectionSet(db, projectionSet)
      await worker.startStalledCheckTimer()
      if (config.opsPort !== null) {
        ops = await startOpsServer({
          port: config.opsPort,
          host: config.opsHost,
          logger,
          registry: metrics.registry,
          checks: readinessChecks(db, cache, queueConnection),
        })
      }
      await liveness.start()
      await maintain()
      maintenanceTimer = setInterval(() => void maintain(), config.maintenanceIntervalMs ?? 3_600_000)
      maintenanceTimer.unref()
      for (const consumer of consumers) consumer.start()
      alerts.start()
      returningFold.start()
      await channelMetrics?.start()
      logger.info(
        { queue: config.queueName, prefix: queuePrefix, concurrency: consumers.length, projectionSet, live: isLive() },
        'aggregator started',
      )
    },
    drain: drainConsumers,
    close() {
      closing ??= (async () => {
        starting.abort()
        clearInterval(maintenanceTimer)
        await liveness.close()
        await drainConsumers()
        await alerts.close()
        await returningFold.close()
        await channelMetrics?.close()
        await worker.close()
        await ops?.close()
        queueConnection.disconnect()
        cache.disconnect()
        await closeDb(db)
        logger.info('aggregator closed')
      })()
      return closing
    },
  }
}

function redisEndpointsOf(config: AggregatorConfig): { queueRedis: RedisEndpoint; cacheRedis: RedisEndpoint } {
  return {
    queueRedis: { url: config.redisUrl, clusterNodes: config.redisClusterNodes },
    cacheRedis: { url: config.cacheRedisUrl, clusterNodes: config.cacheRedisClusterNodes },
  }
}

/**
 * Named by role, as in every service: `queue` is the queue Redis (REDIS_URL), `cache` the cache
 * Redis (CACHE_REDIS_URL), even when both are one server. The queue check pings: BullMQ's
 * waitUntilReady() resolves once connected and never fails afterwards, so it hid a lost queue Redis.
 */
function readinessChecks(db: Kysely<Database>, cache: RedisClient, queueConnection: RedisClient): Record<string, () => Promise<void>> {
  return {
    postgres: () => pingDatabase(db),
    cache: async () => {
      await cache.ping()
    },
    queue: async () => {
      await queueConnection.ping()
    },
  }
}
