import { DEFAULT_DATABASE_URL } from '@event-analytics/db'
import {
  doc,
  env,
  loadConfig,
  oneQueueRedisAddress,
  processVariables,
  queueVariables,
  queueRedisEndpoint,
  webhookTargetVariables,
  type RedisEndpoint,
  type ServiceConfigSchema,
} from '@event-analytics/ops'
import type { RetrySchedule } from './schedule.js'

export interface HttpLimits {
  readonly connectTimeoutMs: number
  /** From the request's start to the last byte read. */
  readonly totalTimeoutMs: number
  /** Read at most this much of a response; the rest is cut off. */
  readonly maxResponseBytes: number
}

export interface DispatcherConfig {
  readonly databaseUrl: string
  readonly queueRedis: RedisEndpoint
  /** BullMQ key prefix (hash-tagged on a cluster); the API's board reads the same BULLMQ_PREFIX. */
  readonly queuePrefix: string
  readonly queueRedisAllowEviction: boolean
  readonly allowPrivateAddresses: boolean
  readonly allowHttp: boolean
  /** How often new alert transitions are paired with endpoints. */
  readonly pollIntervalMs: number
  /** How often every pending delivery is enqueued again (a no-op for those that have a job). */
  readonly sweepIntervalMs: number
  readonly http: HttpLimits
  readonly retry: RetrySchedule
  /** Attempts in flight at once. */
  readonly concurrency: number
  /** Ops port (/health, /ready, /metrics); null: none (tests). 0: any free port. */
  readonly opsPort: number | null
  readonly opsHost: string
  readonly shutdownTimeoutMs?: number
  readonly startupDeadlineMs?: number
  readonly logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
}

const { REDIS_URL, REDIS_CLUSTER_NODES, BULLMQ_PREFIX, QUEUE_REDIS_ALLOW_EVICTION } = queueVariables

const shape = {
  DATABASE_URL: doc(env.url(DEFAULT_DATABASE_URL), 'PostgreSQL: the alert transitions, the webhook endpoints and the delivery outbox.'),
  REDIS_URL,
  REDIS_CLUSTER_NODES,
  BULLMQ_PREFIX,
  QUEUE_REDIS_ALLOW_EVICTION,
  ...webhookTargetVariables,
  WEBHOOK_OPS_PORT: doc(env.port(9103), 'Port of /health, /ready (checks postgres, queue) and /metrics of the webhook dispatcher.'),
  WEBHOOK_OPS_HOST: doc(env.string('127.0.0.1'), 'Interface of the ops port; loopback unless told otherwise (containers: 0.0.0.0).'),
  WEBHOOK_POLL_INTERVAL_MS: doc(env.integer(1000, 10, 60_000), 'How often new alert transitions are turned into deliveries.'),
  WEBHOOK_SWEEP_INTERVAL_MS: doc(
    env.integer(30_000, 10, 3_600_000),
    'How often every undelivered delivery is put on the queue again (a no-op when its job exists): what rebuilds the queue after Redis lost it.',
  ),
  WEBHOOK_CONNECT_TIMEOUT_MS: doc(env.integer(5000, 10, 60_000), 'Longest wait for a receiver to accept the connection.'),
  WEBHOOK_TIMEOUT_MS: doc(env.integer(10_000, 10, 120_000), 'Longest attempt, from connecting to the end of the (capped) response.'),
  WEBHOOK_MAX_RESPONSE_BYTES: doc(env.integer(4096, 0, 1_048_576), 'Bytes of a response read at most; the rest is cut off.', {
    internal: true,
  }),
  WEBHOOK_RETRY_BASE_MS: doc(
    env.integer(10_000, 1, 3_600_000),
    'Delay after the first failed attempt; each further failure doubles it (exponential backoff).',
  ),
  WEBHOOK_RETRY_MAX_DELAY_MS: doc(env.integer(21_600_000, 1, 604_800_000), 'The longest delay between two attempts (default 6 h).'),
  WEBHOOK_MAX_ATTEMPTS: doc(env.integer(12, 1, 100), 'Attempts of one delivery before it is given up (shown in the delivery log).'),
  WEBHOOK_CONCURRENCY: doc(env.integer(4, 1, 64), 'Attempts in flight at once per dispatcher process.'),
  ...processVariables,
}

/** The dispatcher's variables, for the configuration reference and the compose check. */
export const dispatcherConfigSchema = { service: 'webhook-dispatcher', shape } satisfies ServiceConfigSchema

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadDispatcherConfig(source: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  const raw = loadConfig(shape, source, [oneQueueRedisAddress])
  const queueRedis = queueRedisEndpoint(source, raw)
  return {
    databaseUrl: raw.DATABASE_URL,
    queueRedis,
    queuePrefix: raw.BULLMQ_PREFIX,
    queueRedisAllowEviction: raw.QUEUE_REDIS_ALLOW_EVICTION,
    allowPrivateAddresses: raw.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    allowHttp: raw.WEBHOOK_ALLOW_HTTP,
    pollIntervalMs: raw.WEBHOOK_POLL_INTERVAL_MS,
    sweepIntervalMs: raw.WEBHOOK_SWEEP_INTERVAL_MS,
    http: {
      connectTimeoutMs: raw.WEBHOOK_CONNECT_TIMEOUT_MS,
      totalTimeoutMs: raw.WEBHOOK_TIMEOUT_MS,
      maxResponseBytes: raw.WEBHOOK_MAX_RESPONSE_BYTES,
    },
    retry: { baseMs: raw.WEBHOOK_RETRY_BASE_MS, maxDelayMs: raw.WEBHOOK_RETRY_MAX_DELAY_MS, maxAttempts: raw.WEBHOOK_MAX_ATTEMPTS },
    concurrency: raw.WEBHOOK_CONCURRENCY,
    opsPort: raw.WEBHOOK_OPS_PORT,
    opsHost: raw.WEBHOOK_OPS_HOST,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    startupDeadlineMs: raw.STARTUP_DEADLINE_MS,
    ...(raw.LOG_LEVEL === undefined ? {} : { logLevel: raw.LOG_LEVEL }),
  }
}
