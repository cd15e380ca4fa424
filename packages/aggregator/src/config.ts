import { DEFAULT_DATABASE_URL } from '@event-analytics/db'
import {
  cacheVariables,
  doc,
  env,
  loadConfig,
  oneCacheRedisAddress,
  oneQueueRedisAddress,
  processVariables,
  projectionSetVariables,
  queueVariables,
  redisEndpoints,
  type ConfigProblem,
  type RedisNode,
  type ServiceConfigSchema,
} from '@event-analytics/ops'
import { channelMetricsConfigFrom, channelMetricsShape } from './channel-metrics/config.js'
import type { ChannelMetricsConfig } from './channel-metrics/config.js'

export interface AggregatorConfig {
  readonly databaseUrl: string
  /**
   * The projection set written (packages/db/src/sets; default public). Alerts, channel-metrics refreshes
   * and cache invalidations run only while this set is live.
   */
  readonly projectionSet?: string
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
  /** QUEUE_NAME: the queue the ingest worker fills (the same variable there and on the API's board). */
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
  /** How often every ACTIVE event's alerts are evaluated on the clock (DEFAULT_ALERTS_INTERVAL_MS). */
  readonly alertsIntervalMs?: number
  /** Least time between two alert passes after batches (DEFAULT_ALERTS_BATCH_GAP_MS). */
  readonly alertsBatchGapMs?: number
  /** Returning participants: how often the registration log is folded (docs/SPEC.md section 9a). */
  readonly returningFoldIntervalMs?: number
  /** Registrations per fold transaction (whole log rows, at least one). */
  readonly returningFoldMaxRegistrations?: number
  /** Run on a queue Redis whose maxmemory-policy is not noeviction (default false: refused). */
  readonly queueRedisAllowEviction?: boolean
  /** Longest graceful shutdown before the process exits anyway. */
  readonly shutdownTimeoutMs?: number
  /** How long start waits for PostgreSQL and both Redis roles before it fails (default DEFAULT_STARTUP_DEADLINE_MS). */
  readonly startupDeadlineMs?: number
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

/** The clock pass of the alerts: silence and staleness are measured in hours and minutes, so a minute is prompt enough. */
export const DEFAULT_ALERTS_INTERVAL_MS = 60_000
/** Least time between two alert passes after batches (AlertMonitorOptions.batchGapMs). */
export const DEFAULT_ALERTS_BATCH_GAP_MS = 1_000

const shape = {
  DATABASE_URL: doc(env.url(DEFAULT_DATABASE_URL), 'PostgreSQL: the projections, the dedupe claims and the settled jobs.'),
  ...projectionSetVariables,
  ...queueVariables,
  ...cacheVariables,
  AGGREGATOR_BATCH_MAX_MESSAGES: doc(
    env.integer(2000, 1, 100_000),
    'A batch (one PostgreSQL transaction) closes as soon as the queue has no further job ready, or at this many messages.',
    {
      internal: true,
    },
  ),
  AGGREGATOR_BATCH_MAX_WAIT_MS: doc(
    env.integer(200, 0, 60_000),
    '...or this long after its first job (an upper bound on collecting; the batcher never waits for jobs that have not arrived).',
    {
      internal: true,
    },
  ),
  AGGREGATOR_CONCURRENCY: doc(
    env.integer(DEFAULT_AGGREGATOR_CONCURRENCY, 1, 8),
    'Batches in flight at once per process (see packages/aggregator/README.md); safe at any value, batches lock in one order.',
  ),
  AGGREGATOR_OPS_PORT: doc(env.port(9102), 'Port of /health, /ready (checks postgres, queue, cache) and /metrics.'),
  AGGREGATOR_OPS_HOST: doc(env.string('127.0.0.1'), 'Interface of the ops port; loopback unless told otherwise (containers: 0.0.0.0).'),
  AGGREGATOR_LOCK_DURATION_MS: doc(env.integer(30_000, 1000), 'BullMQ job lock, extended every half period while a batch runs.', {
    internal: true,
  }),
  AGGREGATOR_STALLED_INTERVAL_MS: doc(env.integer(30_000, 500), 'Stalled-job check: jobs of a crashed aggregator go back to wait.', {
    internal: true,
  }),
  AGGREGATOR_MAX_STALLED_COUNT: doc(
    env.integer(10, 1),
    'Stalls a job may have before BullMQ fails it (see packages/aggregator/README.md, decisions).',
    { internal: true },
  ),
  AGGREGATOR_MAINTENANCE_INTERVAL_MS: doc(
    env.integer(3_600_000, 100),
    'Rolls the dedupe epoch and drops claims and settlements past their 14-day retention this often (also at start).',
    { internal: true },
  ),
  AGGREGATOR_ALERTS_INTERVAL_MS: doc(
    env.integer(DEFAULT_ALERTS_INTERVAL_MS, 1000, 3_600_000),
    'Evaluates the time-based alerts (silent channel, stale provider) of every ACTIVE event this often; batches evaluate the events they touch at once.',
  ),
  AGGREGATOR_ALERTS_BATCH_GAP_MS: doc(
    env.integer(DEFAULT_ALERTS_BATCH_GAP_MS, 0, 60_000),
    'Least time between two alert evaluations after batches; the batches committed meanwhile are evaluated together in the next (0: one after another).',
  ),
  AGGREGATOR_RETURNING_FOLD_INTERVAL_MS: doc(
    env.integer(1_000, 100),
    'Folds a chunk of the applied participant registrations into the returning-participants figures this often (their asOf; docs/SPEC.md 9a); while no batch is being committed, chunks follow each other at once.',
  ),
  AGGREGATOR_RETURNING_FOLD_MAX_REGISTRATIONS: doc(
    env.integer(10_000, 1),
    'Registrations one fold transaction moves at most (whole batches, at least one), so a fold never holds a database core for long under sustained load.',
  ),
  ...processVariables,
  ...channelMetricsShape,
}

/** The aggregator's variables, for the configuration reference and the compose check. */
export const aggregatorConfigSchema = { service: 'aggregator', shape } satisfies ServiceConfigSchema

/**
 * A queue name for the aggregator alone would leave it waiting on a queue nothing fills.
 * AGGREGATOR_QUEUE_NAME is refused rather than ignored: whoever sets it means a queue name,
 * and QUEUE_NAME says it for every service.
 */
function noAggregatorQueueName(_values: unknown, source: NodeJS.ProcessEnv): ConfigProblem[] {
  if (source['AGGREGATOR_QUEUE_NAME'] === undefined) return []
  return [{ variable: 'AGGREGATOR_QUEUE_NAME', message: 'replaced by QUEUE_NAME, which the ingest worker and the API read too' }]
}

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadAggregatorConfig(source: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  const raw = loadConfig(shape, source, [oneQueueRedisAddress, oneCacheRedisAddress, noAggregatorQueueName])
  const { queueRedis, cacheRedis } = redisEndpoints(source, raw)
  return {
    databaseUrl: raw.DATABASE_URL,
    projectionSet: raw.PROJECTION_SET,
    redisUrl: queueRedis.url,
    redisClusterNodes: queueRedis.clusterNodes,
    cacheRedisUrl: cacheRedis.url,
    cacheRedisClusterNodes: cacheRedis.clusterNodes,
    changesChannel: raw.CACHE_CHANGES_CHANNEL,
    queueName: raw.QUEUE_NAME,
    queuePrefix: raw.BULLMQ_PREFIX,
    batchMaxMessages: raw.AGGREGATOR_BATCH_MAX_MESSAGES,
    batchMaxWaitMs: raw.AGGREGATOR_BATCH_MAX_WAIT_MS,
    concurrency: raw.AGGREGATOR_CONCURRENCY,
    opsPort: raw.AGGREGATOR_OPS_PORT,
    opsHost: raw.AGGREGATOR_OPS_HOST,
    lockDurationMs: raw.AGGREGATOR_LOCK_DURATION_MS,
    stalledIntervalMs: raw.AGGREGATOR_STALLED_INTERVAL_MS,
    maintenanceIntervalMs: raw.AGGREGATOR_MAINTENANCE_INTERVAL_MS,
    alertsIntervalMs: raw.AGGREGATOR_ALERTS_INTERVAL_MS,
    alertsBatchGapMs: raw.AGGREGATOR_ALERTS_BATCH_GAP_MS,
    returningFoldIntervalMs: raw.AGGREGATOR_RETURNING_FOLD_INTERVAL_MS,
    returningFoldMaxRegistrations: raw.AGGREGATOR_RETURNING_FOLD_MAX_REGISTRATIONS,
    maxStalledCount: raw.AGGREGATOR_MAX_STALLED_COUNT,
    queueRedisAllowEviction: raw.QUEUE_REDIS_ALLOW_EVICTION,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    startupDeadlineMs: raw.STARTUP_DEADLINE_MS,
    channelMetrics: channelMetricsConfigFrom(raw),
    ...(raw.LOG_LEVEL === undefined ? {} : { logLevel: raw.LOG_LEVEL }),
  }
}
