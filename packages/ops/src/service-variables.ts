/**
 * Variables more than one service reads, written once: one parser, one default, one
 * description. A service spreads the groups it uses into its shape, so the ingest worker, the
 * aggregator and the API's board cannot disagree on where the queue is or what it is called.
 */
import { DEFAULT_BULLMQ_PREFIX, DEFAULT_CHANGES_CHANNEL, INGEST_QUEUE_NAME } from '@event-analytics/contracts'
import { DEFAULT_REDIS_URL, doc, env } from './config.js'
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './lifecycle.js'
import { startupShape } from './startup.js'
import { CACHE_REDIS_VARIABLES, QUEUE_REDIS_VARIABLES, bothRedisVariablesSet } from './redis-connection.js'
import { z } from 'zod'

/** The BullMQ ingest queue: where it is, what it is called, how its keys are prefixed. */
export const queueVariables = {
  REDIS_URL: doc(
    env.url(DEFAULT_REDIS_URL),
    'The queue Redis (BullMQ); the aggregator and the API also cache in it unless CACHE_REDIS_URL or CACHE_REDIS_CLUSTER_NODES is set.',
  ),
  REDIS_CLUSTER_NODES: doc(
    env.redisNodes(),
    'The queue on a Redis Cluster: seed nodes `host:port,host:port`, instead of REDIS_URL (setting both is an error). The BullMQ prefix is then hash-tagged (`{bull}`).',
    { defaultText: 'unset (no cluster)' },
  ),
  QUEUE_NAME: doc(
    env.string(INGEST_QUEUE_NAME),
    'Name of the BullMQ queue the ingest worker fills, the aggregator drains and the API board shows; every service reads this one variable.',
  ),
  BULLMQ_PREFIX: doc(
    env.string(DEFAULT_BULLMQ_PREFIX),
    'BullMQ key prefix of the queue; lets several deployments (and the tests) share one Redis. The same value in every service.',
  ),
  QUEUE_REDIS_ALLOW_EVICTION: doc(
    env.boolean(false),
    'Start on a queue Redis whose `maxmemory-policy` is not `noeviction` (it may delete waiting jobs); refused at start otherwise.',
  ),
}

/** The projection cache's Redis and its change announcements (aggregator and API). */
export const cacheVariables = {
  CACHE_REDIS_URL: doc(
    env.optionalUrl(),
    "The projection cache's Redis; may be its own, evicting (`allkeys-lru`, no persistence) instance: nothing in it is the only copy.",
    { defaultText: "REDIS_URL's value (or the queue's cluster)" },
  ),
  CACHE_REDIS_CLUSTER_NODES: doc(
    env.redisNodes(),
    'The cache on a Redis Cluster: seed nodes `host:port,host:port`, instead of CACHE_REDIS_URL (setting both is an error).',
    { defaultText: 'unset (no cluster of its own)' },
  ),
  CACHE_CHANGES_CHANNEL: doc(
    env.string(DEFAULT_CHANGES_CHANNEL),
    "Pub/sub channel of the cache Redis the aggregator announces changed event ids on (the API's live streams and local cache listen); the same value in both.",
  ),
}

/** How a service process runs: how long it may take to stop, how much it logs. */
/**
 * The projection set a pipeline writes (packages/db/src/sets): `public` for the live pipeline, a
 * rebuild's set for a rebuild's ingest worker and aggregator (docs/rebuild.md). The ingest worker
 * and the aggregator of one pipeline must name the same set.
 */
export const projectionSetVariables = {
  PROJECTION_SET: doc(
    z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,47}$/, 'a schema name: lower-case letters, digits and underscores')
      .default('public'),
    "The projection set (PostgreSQL schema) this pipeline writes: `public`, or a rebuild's set (docs/rebuild.md).",
  ),
}

export const processVariables = {
  ...startupShape,
  SHUTDOWN_TIMEOUT_MS: doc(
    env.integer(DEFAULT_SHUTDOWN_TIMEOUT_MS, 100),
    'The longest graceful shutdown after SIGTERM/SIGINT before the process exits anyway; what was in flight is read again from Kafka.',
  ),
  LOG_LEVEL: doc(env.logLevel(), 'pino log level: fatal, error, warn, info, debug, trace or silent.', {
    defaultText: 'info (silent under the test runner)',
  }),
}

/** The cross-field checks of queueVariables: a URL and cluster nodes for the queue Redis exclude each other. */
export function oneQueueRedisAddress(_values: unknown, source: NodeJS.ProcessEnv) {
  return bothRedisVariablesSet(source, QUEUE_REDIS_VARIABLES)
}

/** The same for the cache Redis (cacheVariables). */
export function oneCacheRedisAddress(_values: unknown, source: NodeJS.ProcessEnv) {
  return bothRedisVariablesSet(source, CACHE_REDIS_VARIABLES)
}

/** Where webhooks may go: the API checks a URL at registration, the dispatcher again before each attempt. */
export const webhookTargetVariables = {
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: doc(
    env.boolean(false),
    'Let webhooks reach loopback, private (RFC 1918, CGNAT, ULA), link-local and other non-public addresses. For tests and local development only: on a server it lets an owner reach its internal network.',
  ),
  WEBHOOK_ALLOW_HTTP: doc(
    env.boolean(false),
    'Accept plain http:// webhook URLs besides https://. For tests and local development only: the signed alerts would travel unencrypted.',
  ),
}
