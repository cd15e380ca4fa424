import { DEFAULT_DEAD_LETTER_TOPIC, DEFAULT_TOPICS } from '@event-analytics/contracts'
import { DEFAULT_DATABASE_URL } from '@event-analytics/db'
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_REDIS_URL, env, loadConfig, queueRedisEndpoint } from '@event-analytics/ops'
import { hostname } from 'node:os'

const shape = {
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: env.string('analytics-ingest-worker'),
  KAFKA_GROUP_ID: env.string('analytics-ingest'),
  /** Stable per instance so a restarted worker fences its own zombie transactions. */
  KAFKA_TRANSACTIONAL_ID: env.string(`analytics-ingest-${hostname()}`),
  /** How long the group waits for a silent (e.g. killed) member before rebalancing its partitions. */
  KAFKA_SESSION_TIMEOUT_MS: env.integer(30_000, 6000),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081/apis/ccompat/v7'),
  TOPIC_EVENT_CREATED: env.string(DEFAULT_TOPICS.EventCreated),
  TOPIC_EVENT_STATUS_CHANGED: env.string(DEFAULT_TOPICS.EventStatusChanged),
  TOPIC_DISTRIBUTION_COMPLETED: env.string(DEFAULT_TOPICS.DistributionCompleted),
  TOPIC_PARTICIPANT_REGISTERED: env.string(DEFAULT_TOPICS.ParticipantRegistered),
  TOPIC_DEAD_LETTER: env.string(DEFAULT_DEAD_LETTER_TOPIC),
  REDIS_URL: env.url(DEFAULT_REDIS_URL),
  /** The queue on a Redis Cluster: its seed nodes, `host:port,host:port` (instead of REDIS_URL). */
  REDIS_CLUSTER_NODES: env.redisNodes(),
  /** Read-only here: which jobs PostgreSQL has settled, so their offsets may be committed. */
  DATABASE_URL: env.url(DEFAULT_DATABASE_URL),
  /** Run on a queue Redis whose maxmemory-policy is not noeviction (it may delete waiting jobs). */
  QUEUE_REDIS_ALLOW_EVICTION: env.boolean(false),
  /** BullMQ key prefix; lets tests and several deployments share one Redis. On a cluster `{bull}` (clusterQueuePrefix). */
  BULLMQ_PREFIX: env.string('bull'),
  /** Consumption pauses while this many jobs wait in the queue. */
  INGEST_MAX_BACKLOG_JOBS: env.integer(500, 1),
  /** Valid messages per BullMQ job; a larger partition batch becomes several jobs. */
  INGEST_MAX_EVENTS_PER_JOB: env.integer(2000, 1),
  /** Consumption also pauses while this many consumed messages await their commit (bounds memory and replay). */
  INGEST_MAX_PENDING_MESSAGES: env.integer(100_000, 1),
  /** How often settled jobs are looked up and their offsets committed. */
  INGEST_COMMIT_INTERVAL_MS: env.integer(200, 10, 60_000),
  /** How often the unsettled jobs holding a commit back are looked for in Redis (lost: read again). */
  INGEST_LOST_JOB_CHECK_MS: env.integer(2000, 10, 600_000),
  /** Consumer lag is read from the broker this often. */
  INGEST_LAG_INTERVAL_MS: env.integer(5000, 100, 600_000),
  /** Behind, with no committed offset moving for this long: stalled (log, metric, /ready). */
  INGEST_STALL_AFTER_MS: env.integer(60_000, 1000),
  SHUTDOWN_TIMEOUT_MS: env.integer(DEFAULT_SHUTDOWN_TIMEOUT_MS, 100),
  INGEST_OPS_PORT: env.port(9101),
  INGEST_OPS_HOST: env.string('127.0.0.1'),
}

export function loadIngestConfig(source: NodeJS.ProcessEnv = process.env) {
  const raw = loadConfig(shape, source)
  return { ...raw, queueRedis: queueRedisEndpoint(source, raw) }
}

export type IngestConfig = ReturnType<typeof loadIngestConfig>
