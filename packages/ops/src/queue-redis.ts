/**
 * The queue Redis may lose data (Kafka replays it), but it must not drop keys on its own:
 * with an evicting `maxmemory-policy` Redis would silently delete waiting jobs AND their
 * replacements as fast as they come back, so the pipeline would churn instead of draining.
 * Every service that uses the queue runs this check at start. On a Redis Cluster every master
 * holds some slots, so every master is checked: one evicting master would lose the queues
 * whose hash tag lands on it.
 */
import type { Redis } from 'ioredis'
import type { Logger } from './logger.js'
import { isClusterClient, type RedisClient } from './redis-connection.js'

export class UnsafeQueueRedisError extends Error {
  override name = 'UnsafeQueueRedisError'
}

export interface QueueRedisCheckOptions {
  /** QUEUE_REDIS_ALLOW_EVICTION: run on an evicting Redis anyway (logged as a warning). */
  readonly allowEviction: boolean
  readonly logger: Logger
}

export interface QueueRedisFacts {
  readonly maxmemoryPolicy: string
  readonly persistent: boolean
}

/** Reads `maxmemory-policy` and persistence from INFO (CONFIG is often disabled on managed Redis). */
export async function readQueueRedisFacts(redis: Redis): Promise<QueueRedisFacts> {
  const info = await redis.info()
  const field = (name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim()
  const policy = field('maxmemory_policy') ?? 'unknown'
  const aof = field('aof_enabled') === '1'
  // rdb_last_save_time is always present; whether RDB snapshots are configured is only in CONFIG.
  const save = await redis.call('CONFIG', 'GET', 'save').then(
    (reply) => (Array.isArray(reply) ? String(reply[1] ?? '') : ''),
    () => 'unknown',
  )
  return { maxmemoryPolicy: policy, persistent: aof || (save !== '' && save !== 'unknown') }
}

/** Throws UnsafeQueueRedisError unless the queue Redis (every master of a cluster) keeps every key it is given. */
export async function checkQueueRedis(redis: RedisClient, options: QueueRedisCheckOptions): Promise<QueueRedisFacts> {
  if (!isClusterClient(redis)) return checkOneQueueRedis(redis, 'the queue Redis', options)
  // A command first: it waits for the slot map, without which nodes('master') is empty.
  await redis.ping()
  const masters = redis.nodes('master')
  if (masters.length === 0) throw new UnsafeQueueRedisError('the queue Redis Cluster has no reachable master')
  const all: QueueRedisFacts[] = []
  for (const master of masters) {
    all.push(await checkOneQueueRedis(master, `the queue Redis Cluster master ${master.options.host}:${master.options.port}`, options))
  }
  return { maxmemoryPolicy: all[0]?.maxmemoryPolicy ?? 'unknown', persistent: all.every((facts) => facts.persistent) }
}

async function checkOneQueueRedis(redis: Redis, name: string, options: QueueRedisCheckOptions): Promise<QueueRedisFacts> {
  const facts = await readQueueRedisFacts(redis)
  if (facts.maxmemoryPolicy !== 'noeviction') {
    const message =
      `${name} has maxmemory-policy=${facts.maxmemoryPolicy}; it must be noeviction, or Redis deletes waiting jobs ` +
      `under memory pressure. Fix: CONFIG SET maxmemory-policy noeviction (and in redis.conf), or give the cache its own Redis ` +
      `(CACHE_REDIS_URL). QUEUE_REDIS_ALLOW_EVICTION=true overrides this check.`
    if (!options.allowEviction) throw new UnsafeQueueRedisError(message)
    options.logger.warn({ maxmemoryPolicy: facts.maxmemoryPolicy }, `QUEUE_REDIS_ALLOW_EVICTION is set: ${message}`)
  }
  if (!facts.persistent) {
    options.logger.info(`${name} has no persistence: what it loses on a restart is read again from Kafka`)
  }
  return facts
}
