import { z } from 'zod'
import { CACHE_TTL_SECONDS } from '@event-analytics/contracts'
import { DEFAULT_DATABASE_URL } from '@event-analytics/db'
import {
  cacheVariables,
  doc,
  env,
  loadConfig,
  oneCacheRedisAddress,
  oneQueueRedisAddress,
  processVariables,
  queueVariables,
  redisEndpoints,
  webhookTargetVariables,
  type ConfigProblem,
  type ConfigValues,
  type FillLimits,
  type RedisEndpoint,
  type ServiceConfigSchema,
} from '@event-analytics/ops'
import type { LevelWithSilent } from 'pino'
import { canComputeZone } from './projections/timeline.js'
import { liveConfigFrom, liveShape } from './live/config.js'
import type { LiveConfig } from './live/config.js'
import { localCacheConfigFrom, localCacheShape } from './cache/config.js'
import type { LocalCacheConfig } from './cache/config.js'
import { RESERVED_AUDIENCES } from './auth/purposes.js'

const secret = () => z.string().min(32, 'must be at least 32 characters').optional()

const shape = {
  API_PORT: doc(env.port(3000), 'Port of the API, /health, /ready and /metrics.'),
  API_HOST: doc(env.string('127.0.0.1'), 'Interface the API listens on; loopback unless told otherwise (containers: 0.0.0.0).'),
  DATABASE_URL: doc(env.url(DEFAULT_DATABASE_URL), 'PostgreSQL: the projections it serves (read only).'),
  ...queueVariables,
  ...cacheVariables,
  JWT_SECRET: doc(
    secret(),
    "HS256 shared secret (32+ characters). No built-in default: `npm start` passes the local stack's generated one. One of JWT_SECRET and JWT_JWKS_URL is required.",
    { defaultText: 'unset' },
  ),
  JWT_JWKS_URL: doc(
    z.url().optional(),
    'JWKS of an identity provider (RS256 or another asymmetric alg) for production; instead of JWT_SECRET.',
  ),
  JWT_ISSUER: doc(env.optionalString(), 'Required `iss` of every token.'),
  JWT_AUDIENCE: doc(
    env.optionalString().refine((value) => value === undefined || !RESERVED_AUDIENCES.includes(value), {
      message: `must not be ${RESERVED_AUDIENCES.join(' or ')}: those are the session's and the login code's`,
    }),
    "The `aud` API bearer tokens must carry; a session's or a login code's audience is refused here.",
    { defaultText: 'event-analytics-api' },
  ),
  TIMELINE_MAX_BUCKETS: doc(env.integer(1000, 1, 100_000), 'Most buckets one timeline request may ask for; more is a 400.'),
  DEFAULT_TIME_ZONE: doc(env.string('Asia/Seoul'), 'IANA time zone of timeline buckets when a request names none.'),
  CACHE_TTL_SECONDS: doc(env.integer(CACHE_TTL_SECONDS, 1), 'Lifetime of a cached projection (changes invalidate it sooner).', {
    internal: true,
  }),
  CACHE_KEY_MAX_BYTES: doc(
    env.integer(1_048_576, 1024),
    'Per cache key: bytes of a value, or of a hash\'s field names and values; past it answers are served uncached (`query_api_cache_fills_skipped_total{reason="cap"}`).',
  ),
  CACHE_HASH_MAX_FIELDS: doc(env.integer(256, 1), 'Per cache hash: fields (one per distinct range, filter or page asked for).'),
  CHANNEL_STALE_AFTER_SECONDS: doc(env.integer(900, 1), 'External channel metrics older than this are flagged stale in answers.'),
  RATE_LIMIT_MAX: doc(env.integer(600, 1), 'Requests per principal per window.'),
  RATE_LIMIT_WINDOW_MS: doc(env.integer(60_000, 1000), 'The rate limit window.'),
  CORS_ORIGINS: doc(env.list(''), 'Comma-separated allowed origins; `*` allows any; empty disables CORS.'),
  BOARD_ENABLED: doc(env.boolean(true), 'Serve the BullMQ board at /admin/queues (operator tokens).'),
  ...webhookTargetVariables,
  WEBHOOK_MAX_ENDPOINTS: doc(env.integer(10, 1, 1000), 'Webhook endpoints one owner may have at once; one more is a 409.'),
  ...processVariables,
  ...liveShape,
  ...localCacheShape,
}

/** The API's variables, for the configuration reference and the compose check. */
export const apiConfigSchema = { service: 'query-api', shape } satisfies ServiceConfigSchema

/** One of the two ways to verify tokens must be configured; there is no built-in secret. */
function someTokenKey(values: Partial<ConfigValues<typeof shape>>, source: NodeJS.ProcessEnv): ConfigProblem[] {
  // Judged on what was set, so a JWT_SECRET refused for its length is not also reported as missing.
  const set = (name: string) => (source[name] ?? '') !== ''
  if (set('JWT_SECRET') || set('JWT_JWKS_URL') || values.JWT_SECRET !== undefined || values.JWT_JWKS_URL !== undefined) return []
  return [{ variable: 'JWT_SECRET or JWT_JWKS_URL', message: 'required (`npm start` generates a secret for the local stack)' }]
}

/** Whether PostgreSQL knows the zone too is checked per request, like any tz (src/time-zones.ts). */
function knownTimeZone(values: Partial<ConfigValues<typeof shape>>): ConfigProblem[] {
  const zone = values.DEFAULT_TIME_ZONE
  if (zone === undefined || canComputeZone(zone)) return []
  return [{ variable: 'DEFAULT_TIME_ZONE', message: `unknown time zone "${zone}"` }]
}

export interface AuthConfig {
  secret: string | undefined
  jwksUrl: string | undefined
  issuer: string | undefined
  /** `JWT_AUDIENCE`; undefined: API tokens carry API_TOKEN_AUDIENCE (`apiTokenAudience`). */
  audience: string | undefined
}

export interface ApiConfig {
  port: number
  host: string
  databaseUrl: string
  redisUrl: string
  cacheRedisUrl: string
  /** Where the queue (board) and the cache are: the URLs above, or clusters (ops' redis-connection.ts). */
  queueRedis: RedisEndpoint
  cacheRedis: RedisEndpoint
  auth: AuthConfig
  timelineMaxBuckets: number
  defaultTimeZone: string
  cacheTtlSeconds: number
  /** How big one cache key may grow; past it a load is served uncached. */
  cacheLimits: FillLimits
  /** QUEUE_NAME: the ingest queue the board shows (the workers read the same variable). */
  queueName: string
  queuePrefix: string
  channelStaleAfterMs: number
  rateLimit: { max: number; windowMs: number }
  corsOrigins: string[]
  boardEnabled: boolean
  /** Where owners' webhooks may point (checked at registration; the dispatcher checks again). */
  webhooks: { allowPrivateAddresses: boolean; allowHttp: boolean; maxEndpoints: number }
  queueRedisAllowEviction: boolean
  shutdownTimeoutMs: number
  /** How long start waits for PostgreSQL and both Redis roles before it fails (STARTUP_DEADLINE_MS). */
  startupDeadlineMs: number
  /** Sessions, live streams, the web page (live/config.ts). */
  live: LiveConfig
  /** The in-process layer in front of the cache Redis (cache/config.ts); null: disabled. */
  localCache: LocalCacheConfig | null
  logLevel?: LevelWithSilent
}

/** Reads and validates the environment once; every problem is reported together. */
export function loadApiConfig(source: NodeJS.ProcessEnv = process.env): ApiConfig {
  const raw = loadConfig(shape, source, [someTokenKey, knownTimeZone, oneQueueRedisAddress, oneCacheRedisAddress])
  const { queueRedis, cacheRedis } = redisEndpoints(source, raw)
  return {
    port: raw.API_PORT,
    host: raw.API_HOST,
    databaseUrl: raw.DATABASE_URL,
    redisUrl: queueRedis.url,
    cacheRedisUrl: cacheRedis.url,
    queueRedis,
    cacheRedis,
    auth: { secret: raw.JWT_SECRET, jwksUrl: raw.JWT_JWKS_URL, issuer: raw.JWT_ISSUER, audience: raw.JWT_AUDIENCE },
    timelineMaxBuckets: raw.TIMELINE_MAX_BUCKETS,
    defaultTimeZone: raw.DEFAULT_TIME_ZONE,
    cacheTtlSeconds: raw.CACHE_TTL_SECONDS,
    cacheLimits: { maxBytes: raw.CACHE_KEY_MAX_BYTES, maxFields: raw.CACHE_HASH_MAX_FIELDS },
    queueName: raw.QUEUE_NAME,
    queuePrefix: raw.BULLMQ_PREFIX,
    channelStaleAfterMs: raw.CHANNEL_STALE_AFTER_SECONDS * 1000,
    rateLimit: { max: raw.RATE_LIMIT_MAX, windowMs: raw.RATE_LIMIT_WINDOW_MS },
    corsOrigins: raw.CORS_ORIGINS,
    boardEnabled: raw.BOARD_ENABLED,
    webhooks: {
      allowPrivateAddresses: raw.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
      allowHttp: raw.WEBHOOK_ALLOW_HTTP,
      maxEndpoints: raw.WEBHOOK_MAX_ENDPOINTS,
    },
    queueRedisAllowEviction: raw.QUEUE_REDIS_ALLOW_EVICTION,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    startupDeadlineMs: raw.STARTUP_DEADLINE_MS,
    live: liveConfigFrom(raw, raw.JWT_SECRET),
    localCache: localCacheConfigFrom(raw),
    ...(raw.LOG_LEVEL === undefined ? {} : { logLevel: raw.LOG_LEVEL }),
  }
}
