/**
 * One way to connect to Redis, single server or Redis Cluster, for the queue (BullMQ) and the
 * cache alike. A deployment names a cluster by its seed nodes (`REDIS_CLUSTER_NODES`,
 * `CACHE_REDIS_CLUSTER_NODES`: `host:port,host:port`); ioredis discovers the other nodes and
 * the slot map from any one of them. Without those variables everything connects to a URL as
 * before.
 *
 * What a cluster asks of the code: every command (a Lua script, a MULTI, a pipeline) may only
 * name keys of one hash slot. Keys share a slot when they share a hash tag, the text between
 * the first `{` and the next `}`: the cache keys are tagged per event or owner
 * (contracts' cache-keys.ts), and BullMQ's keys per prefix (`clusterQueuePrefix`).
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis'
import { ConfigError, type ConfigProblem, type RedisNode } from './config.js'
import { reconnectDelayMs } from './redis-reconnect.js'

/** What the services hold: a single server's client or a cluster's. Both speak the same commands. */
export type RedisClient = Redis | Cluster

/** Where a Redis is: a URL, or (when `clusterNodes` is set) a cluster reached through those seeds. */
export interface RedisEndpoint {
  readonly url: string
  /** Seed nodes of a Redis Cluster; the URL is then unused. */
  readonly clusterNodes?: readonly RedisNode[] | undefined
}

/** The clients this module creates are this ioredis's classes, so instanceof decides. */
export function isClusterClient(client: RedisClient): client is Cluster {
  return client instanceof Cluster
}

export function isClusterEndpoint(endpoint: RedisEndpoint): boolean {
  return endpoint.clusterNodes !== undefined && endpoint.clusterNodes.length > 0
}

/** For logs: the URL without credentials, or the seed nodes. */
export function describeRedisEndpoint(endpoint: RedisEndpoint): string {
  if (isClusterEndpoint(endpoint)) return `cluster ${endpoint.clusterNodes?.map((node) => `${node.host}:${node.port}`).join(',')}`
  const url = new URL(endpoint.url)
  return `${url.protocol}//${url.host}${url.pathname}`
}

/**
 * A client for `endpoint` with the services' reconnect cadence. `options` are the per-connection
 * options (maxRetriesPerRequest, lazyConnect, ...); on a cluster they apply to every node's
 * connection and the cluster itself reconnects with the same cadence.
 */
export function createRedisClient(endpoint: RedisEndpoint, options: RedisOptions = {}): RedisClient {
  if (!isClusterEndpoint(endpoint)) return new Redis(endpoint.url, { retryStrategy: reconnectDelayMs, ...options })
  const { lazyConnect, retryStrategy, enableOfflineQueue, ...nodeOptions } = options
  return new Cluster(
    (endpoint.clusterNodes ?? []).map((node) => ({ host: node.host, port: node.port })),
    {
      lazyConnect: lazyConnect ?? false,
      clusterRetryStrategy: retryStrategy ?? reconnectDelayMs,
      enableOfflineQueue: enableOfflineQueue ?? true,
      redisOptions: nodeOptions,
    },
  )
}

/** A new connection to the same Redis, e.g. for SUBSCRIBE (a subscribed connection does nothing else). */
export function duplicateClient(client: RedisClient): RedisClient {
  return isClusterClient(client) ? client.duplicate() : client.duplicate()
}

/**
 * BullMQ names every key of a queue `<prefix>:<queue>:...` and runs Lua scripts over several of
 * them, so on a cluster the prefix must be a hash tag (BullMQ's docs: "Redis Cluster"). A prefix
 * that has one already is kept; `bull` becomes `{bull}`. Every service that opens the queue
 * (ingest worker, aggregator, the API's board) derives its prefix through this function from
 * the same BULLMQ_PREFIX, so they agree. All of one prefix's queues live in one slot, on one
 * master: the queue does not spread over the cluster, it survives on it.
 */
export function clusterQueuePrefix(prefix: string, endpoint: RedisEndpoint): string {
  if (!isClusterEndpoint(endpoint) || hashTagOf(prefix) !== prefix) return prefix
  return `{${prefix}}`
}

/**
 * The part of `key` Redis Cluster hashes: the text between the first `{` and the next `}` when
 * that is not empty, else the whole key. Keys with equal hash tags are in one slot.
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{')
  if (open === -1) return key
  const close = key.indexOf('}', open + 1)
  if (close === -1 || close === open + 1) return key
  return key.slice(open + 1, close)
}

/** The queue's Redis: REDIS_URL, or a cluster named by REDIS_CLUSTER_NODES. */
export const QUEUE_REDIS_VARIABLES = { url: 'REDIS_URL', clusterNodes: 'REDIS_CLUSTER_NODES' } as const
/** The cache's Redis: CACHE_REDIS_URL or CACHE_REDIS_CLUSTER_NODES; neither: the queue's. */
export const CACHE_REDIS_VARIABLES = { url: 'CACHE_REDIS_URL', clusterNodes: 'CACHE_REDIS_CLUSTER_NODES' } as const

/**
 * The endpoint named by a URL variable and a cluster-nodes variable. Both set is a ConfigError
 * (which one would be meant?); neither set: `fallback`.
 */
export function redisEndpointFrom(
  source: NodeJS.ProcessEnv,
  names: { readonly url: string; readonly clusterNodes: string },
  values: { readonly url: string | undefined; readonly clusterNodes: readonly RedisNode[] | undefined },
  fallback: RedisEndpoint,
): RedisEndpoint {
  const urlSet = (source[names.url] ?? '') !== ''
  const problems = bothRedisVariablesSet(source, names)
  if (problems.length > 0) throw new ConfigError(problems)
  if (values.clusterNodes !== undefined) return { url: values.url ?? fallback.url, clusterNodes: values.clusterNodes }
  if (values.url !== undefined && urlSet) return { url: values.url }
  return fallback
}

/**
 * A cross-field check for loadConfig: a URL and cluster nodes for the same Redis, which one
 * would be meant? Run in the validation pass, so it is reported with every other problem.
 */
export function bothRedisVariablesSet(
  source: NodeJS.ProcessEnv,
  names: { readonly url: string; readonly clusterNodes: string },
): ConfigProblem[] {
  const urlSet = (source[names.url] ?? '') !== ''
  const nodesSet = (source[names.clusterNodes] ?? '').split(',').some((node) => node.trim() !== '')
  if (!urlSet || !nodesSet) return []
  return [{ variable: `${names.url}, ${names.clusterNodes}`, message: 'set one of them, not both' }]
}

/** The Redis variables of a service's validated environment (contracts' env helpers). */
export interface RedisVariables {
  readonly REDIS_URL: string
  readonly REDIS_CLUSTER_NODES?: readonly RedisNode[] | undefined
  readonly CACHE_REDIS_URL?: string | undefined
  readonly CACHE_REDIS_CLUSTER_NODES?: readonly RedisNode[] | undefined
}

/** The queue's endpoint: REDIS_URL, or the cluster of REDIS_CLUSTER_NODES (both set: ConfigError). */
export function queueRedisEndpoint(source: NodeJS.ProcessEnv, raw: RedisVariables): RedisEndpoint {
  return redisEndpointFrom(
    source,
    QUEUE_REDIS_VARIABLES,
    { url: raw.REDIS_URL, clusterNodes: raw.REDIS_CLUSTER_NODES },
    { url: raw.REDIS_URL },
  )
}

/** The queue's and the cache's endpoints; the cache falls back to the queue's. */
export function redisEndpoints(source: NodeJS.ProcessEnv, raw: RedisVariables): { queueRedis: RedisEndpoint; cacheRedis: RedisEndpoint } {
  const queueRedis = queueRedisEndpoint(source, raw)
  const cacheValues = { url: raw.CACHE_REDIS_URL, clusterNodes: raw.CACHE_REDIS_CLUSTER_NODES }
  return { queueRedis, cacheRedis: redisEndpointFrom(source, CACHE_REDIS_VARIABLES, cacheValues, queueRedis) }
}
