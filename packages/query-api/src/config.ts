import { z } from 'zod'
import { CACHE_TTL_SECONDS } from '@event-analytics/contracts'
import { DEFAULT_DATABASE_URL } from '@event-analytics/db'
import {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  ConfigError,
  DEFAULT_REDIS_URL,
  env,
  loadConfig,
  redisEndpoints,
  type FillLimits,
  type RedisEndpoint,
} from '@event-analytics/ops'
import { canComputeZone } from './projections/timeline.js'
import { liveConfigFrom, liveShape } from './live/config.js'
import type { LiveConfig } from './live/config.js'
import { localCacheConfigFrom, localCacheShape } from './cache/config.js'
import type { LocalCacheConfig } from './cache/config.js'

const optionalString = z.string().min(1).optional()

const shape = {
  API_PORT: env.port(3000),
  /** Loopback unless told otherwise: docker-compose.yml sets 0.0.0.0 inside its network. */
  API_HOST: env.string('127.0.0.1'),
  DATABASE_URL: env.url(DEFAULT_DATABASE_URL),
  /** The queue's Redis (the board reads it). */
  REDIS_URL: env.url(DEFAULT_REDIS_URL),
  /** The queue on a Redis Cluster: `host:port,host:port` (instead of REDIS_URL). */
  REDIS_CLUSTER_NODES: env.redisNodes(),
  /** The projection cache's Redis; may be its own, evicting (allkeys-lru) instance. Unset: REDIS_URL. */
  CACHE_REDIS_URL: env.optionalUrl(),
  /** The cache on a Redis Cluster (instead of CACHE_REDIS_URL); neither set: the queue's Redis. */
  CACHE_REDIS_CLUSTER_NODES: env.redisNodes(),
  /**
   * HS256 shared secret. There is no built-in default: `npm start` passes the local stack's
   * generated secret (dev-stack's stackJwtSecret), tests pass their own.
   */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** RS256 (any asymmetric alg the JWKS offers) for production. */
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  TIMELINE_MAX_BUCKETS: env.integer(1000, 1, 100_000),
  DEFAULT_TIME_ZONE: env.string('Asia/Seoul'),
  CACHE_TTL_SECONDS: env.integer(CACHE_TTL_SECONDS, 1),
  /** Per cache key: bytes of a value, or of all field names and values of a hash (1 MiB). */
  CACHE_KEY_MAX_BYTES: env.integer(1_048_576, 1024),
  /** Per cache hash: fields (one per distinct range, filter or page asked for). */
  CACHE_HASH_MAX_FIELDS: env.integer(256, 1),
  /** BullMQ key prefix of the ingest queue shown on the board; the same value as the workers'. */
  BULLMQ_PREFIX: env.string('bull'),
  CHANNEL_STALE_AFTER_SECONDS: env.integer(900, 1),
  RATE_LIMIT_MAX: env.integer(600, 1),
  RATE_LIMIT_WINDOW_MS: env.integer(60_000, 1000),
  /** Comma-separated allowed origins; "*" allows any; empty disables CORS. */
  CORS_ORIGINS: env.list(''),
  BOARD_ENABLED: env.boolean(true),
  /** Run on a queue Redis whose maxmemory-policy is not noeviction (see checkQueueRedis). */
  QUEUE_REDIS_ALLOW_EVICTION: env.boolean(false),
  SHUTDOWN_TIMEOUT_MS: env.integer(DEFAULT_SHUTDOWN_TIMEOUT_MS, 100),
  LOG_LEVEL: env.logLevel(),
  ...liveShape,
  ...localCacheShape,
}

export interface AuthConfig {
  secret: string | undefined
  jwksUrl: string | undefined
  issuer: string | undefined
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
  queuePrefix: string
  channelStaleAfterMs: number
  rateLimit: { max: number; windowMs: number }
  corsOrigins: string[]
  boardEnabled: boolean
  queueRedisAllowEviction: boolean
  shutdownTimeoutMs: number
  /** Sessions, live streams, the web page (live/config.ts). */
  live: LiveConfig
  /** The in-process layer in front of the cache Redis (cache/config.ts); null: disabled. */
  localCache: LocalCacheConfig | null
}

/** Reads and validates the environment once; every problem is reported together. */
export function loadApiConfig(source: NodeJS.ProcessEnv = process.env): ApiConfig {
  const raw = loadConfig(shape, source)
  if (raw.JWT_SECRET === undefined && raw.JWT_JWKS_URL === undefined) {
    throw new ConfigError(
      'invalid configuration:\n  JWT_SECRET or JWT_JWKS_URL: required (`npm start` generates a secret for the local stack)',
    )
  }
  // Whether PostgreSQL knows it too is checked per request, like any tz (src/time-zones.ts).
  if (!canComputeZone(raw.DEFAULT_TIME_ZONE)) {
    throw new ConfigError(`invalid configuration:\n  DEFAULT_TIME_ZONE: unknown time zone "${raw.DEFAULT_TIME_ZONE}"`)
  }
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
    queuePrefix: raw.BULLMQ_PREFIX,
    channelStaleAfterMs: raw.CHANNEL_STALE_AFTER_SECONDS * 1000,
    rateLimit: { max: raw.RATE_LIMIT_MAX, windowMs: raw.RATE_LIMIT_WINDOW_MS },
    corsOrigins: raw.CORS_ORIGINS,
    boardEnabled: raw.BOARD_ENABLED,
    queueRedisAllowEviction: raw.QUEUE_REDIS_ALLOW_EVICTION,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    live: liveConfigFrom(raw, raw.JWT_SECRET),
    localCache: localCacheConfigFrom(raw),
  }
}
