import { DEFAULT_CHANGES_CHANNEL, INGEST_QUEUE_NAME } from '@event-analytics/contracts'
import { DEFAULT_DATABASE_URL } from '@event-analytics/db'
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_REDIS_URL, env, loadConfig, redisEndpoints, type RedisNode } from '@event-analytics/ops'
import { channelMetricsConfigFrom, channelMetricsShape } from './channel-metrics/config.js'
import type { ChannelMetricsConfig } from './channel-metrics/config.js'

export interface AggregatorConfig {
  readonly databaseUrl: string
  /** The queue's Redis (BullMQ). */
  readonly redisUrl: string
  /** The queue on a Redis Cluster (REDIS_CLUSTER_NODES): its seed nodes; redisUrl is then unused. */
  readonly redisClusterNodes?: readonly RedisNode[] | undefined
  /** The projection cache's Redis, where invalidations go; may be its own, evicting instance. */
  readonly cacheRedisUrl: string
  /** The cache on a Redis Cluster (CACHE_REDIS_CLUSTER_NODES, else the queue's cluster when CACHE_REDIS_URL is unset). */
  readonly cacheRedisClusterNodes?: readonly RedisNode[] | undefined
  /** Pub/sub channel of the cache Redis the changed event ids are published on (contracts' changes.ts). */
  readonly changesChannel?: string
  readonly queueName: string
  /** BullMQ key prefix; must match the ingest worker's. Hash-tagged on a cluster (clusterQueuePrefix). */
  readonly queuePrefix: string
  readonly batchMaxMessages: number
  readonly batchMaxWaitMs: number
  /**
   * Batches in flight at once in this process (DEFAULT_AGGREGATOR_CONCURRENCY), each collected
   * and applied by a loop of its own on the same worker and pool. Safe at any value: batches
   * lock in one order.
   */
  readonly concurrency?: number
  /** Ops port (/health, /ready, /metrics); null: no ops server (tests). 0: any free port. */
  readonly opsPort: number | null
  readonly opsHost: string
  readonly lockDurationMs: number
  readonly stalledIntervalMs: number
  readonly maxStalledCount: number
  /** Dedupe epoch roll, expired claims and settlements dropped (runDedupeMaintenance); default hourly. */
  readonly maintenanceIntervalMs?: number
  /** Run on a queue Redis whose maxmemory-policy is not noeviction (default false: refused). */
  readonly queueRedisAllowEviction?: boolean
  /** Longest graceful shutdown before the process exits anyway. */
  readonly shutdownTimeoutMs?: number
  /** External channel metrics refresh; absent = disabled (the ingest-only tests). */
  readonly channelMetrics?: ChannelMetricsConfig
  readonly logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
}

/**
 * Two batches in flight: while one waits on PostgreSQL (its statements, the commit's WAL
 * flush), the other folds, fetches jobs and invalidates. On the 2-core bench machine the
 * end-to-end rate was 1.2-2.3x that of one batch at a time in each of 5 interleaved pairs
 * (figures and decision in packages/aggregator/README.md).
 */
export const DEFAULT_AGGREGATOR_CONCURRENCY = 2

const shape = {
  DATABASE_URL: env.url(DEFAULT_DATABASE_URL),
  REDIS_URL: env.url(DEFAULT_REDIS_URL),
  REDIS_CLUSTER_NODES: env.redisNodes(),
  /** Unset (and no CACHE_REDIS_CLUSTER_NODES): the cache lives in the queue's Redis. */
  CACHE_REDIS_URL: env.optionalUrl(),
  CACHE_REDIS_CLUSTER_NODES: env.redisNodes(),
  CACHE_CHANGES_CHANNEL: env.string(DEFAULT_CHANGES_CHANNEL),
  AGGREGATOR_QUEUE_NAME: env.string(INGEST_QUEUE_NAME),
  BULLMQ_PREFIX: env.string('bull'),
  AGGREGATOR_BATCH_MAX_MESSAGES: env.integer(2000, 1, 100_000),
  AGGREGATOR_BATCH_MAX_WAIT_MS: env.integer(200, 0, 60_000),
  AGGREGATOR_CONCURRENCY: env.integer(DEFAULT_AGGREGATOR_CONCURRENCY, 1, 8),
  AGGREGATOR_OPS_PORT: env.port(9102),
  AGGREGATOR_OPS_HOST: env.string('127.0.0.1'),
  AGGREGATOR_LOCK_DURATION_MS: env.integer(30_000, 1000),
  AGGREGATOR_STALLED_INTERVAL_MS: env.integer(30_000, 500),
  AGGREGATOR_MAX_STALLED_COUNT: env.integer(10, 1),
  AGGREGATOR_MAINTENANCE_INTERVAL_MS: env.integer(3_600_000, 100),
  QUEUE_REDIS_ALLOW_EVICTION: env.boolean(false),
  SHUTDOWN_TIMEOUT_MS: env.integer(DEFAULT_SHUTDOWN_TIMEOUT_MS, 100),
  LOG_LEVEL: env.logLevel(),
  ...channelMetricsShape,
}

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadAggregatorConfig(source: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  const raw = loadConfig(shape, source)
  const { queueRedis, cacheRedis } = redisEndpoints(source, raw)
  return {
    databaseUrl: raw.DATABASE_URL,
    redisUrl: queueRedis.url,
    redisClusterNodes: queueRedis.clusterNodes,
    cacheRedisUrl: cacheRedis.url,
    cacheRedisClusterNodes: cacheRedis.clusterNodes,
    changesChannel: raw.CACHE_CHANGES_CHANNEL,
    queueName: raw.AGGREGATOR_QUEUE_NAME,
    queuePrefix: raw.BULLMQ_PREFIX,
    batchMaxMessages: raw.AGGREGATOR_BATCH_MAX_MESSAGES,
    batchMaxWaitMs: raw.AGGREGATOR_BATCH_MAX_WAIT_MS,
    concurrency: raw.AGGREGATOR_CONCURRENCY,
    opsPort: raw.AGGREGATOR_OPS_PORT,
    opsHost: raw.AGGREGATOR_OPS_HOST,
    lockDurationMs: raw.AGGREGATOR_LOCK_DURATION_MS,
    stalledIntervalMs: raw.AGGREGATOR_STALLED_INTERVAL_MS,
    maintenanceIntervalMs: raw.AGGREGATOR_MAINTENANCE_INTERVAL_MS,
    maxStalledCount: raw.AGGREGATOR_MAX_STALLED_COUNT,
    queueRedisAllowEviction: raw.QUEUE_REDIS_ALLOW_EVICTION,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    channelMetrics: channelMetricsConfigFrom(raw),
    ...(raw.LOG_LEVEL === undefined ? {} : { logLevel: raw.LOG_LEVEL }),
  }
}
