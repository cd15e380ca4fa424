/**
 * The queue's and the cache's Redis commands on a real 3-master Redis Cluster of the test's
 * own: the fill-guard protocol (two keys per script), invalidation of keys spread over several
 * slots followed by the change announcement, the eviction refusal on every master, and the
 * configuration that selects a cluster.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { Cluster, Redis } from 'ioredis'
import { cacheKeys, keysToInvalidate } from '@event-analytics/contracts'
import { fillIfUnchanged, invalidateProjections, readFillGuard } from '../src/cache-protocol.js'
import { ConfigError, env, loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { UnsafeQueueRedisError, checkQueueRedis } from '../src/queue-redis.js'
import {
  clusterQueuePrefix,
  createRedisClient,
  duplicateClient,
  hashTagOf,
  redisEndpointFrom,
  type RedisEndpoint,
} from '../src/redis-connection.js'
import { startRedisCluster } from '../src/testing/index.js'

const limits = { maxBytes: 1 << 20, maxFields: 100 }
const logger = createLogger('redis-cluster-test', 'silent')

t.test('on a 3-master cluster', async (t) => {
  const cluster = await startRedisCluster({ masters: 3 })
  t.teardown(() => cluster.stop())
  const endpoint: RedisEndpoint = { url: 'redis://unused', clusterNodes: cluster.nodes }
  const redis = createRedisClient(endpoint, { maxRetriesPerRequest: 2 })
  t.teardown(() => redis.disconnect())
  t.ok(redis instanceof Cluster, 'the factory returns a Cluster for cluster nodes')

  await t.test('the slots of one batch are spread over several masters', async (t) => {
    const keys = Array.from({ length: 12 }, (_, index) => cacheKeys.dashboard(`evt-${index}`))
    const owners = new Set<string>()
    for (const key of keys) owners.add(String((await redis.call('CLUSTER', 'KEYSLOT', key)) as number))
    t.ok(owners.size > 1, 'the keys hash to different slots')
  })

  await t.test('a fill, an invalidation and the announcement after it', async (t) => {
    const subscriber = duplicateClient(redis)
    t.teardown(() => subscriber.disconnect())
    const heard: string[] = []
    subscriber.on('message', (_channel: string, message: string) => heard.push(message))
    await subscriber.subscribe('cluster-test-changes')

    const change = { eventId: 'evt-a', userId: 'user-a', channelNames: ['INSTAGRAM', 'TV1'] }
    const keys = [...keysToInvalidate(change), ...keysToInvalidate({ eventId: 'evt-b', userId: null, channelNames: [] })]
    const key = cacheKeys.dashboard('evt-a')
    const guard = await readFillGuard(redis, key)
    t.equal(
      await fillIfUnchanged(redis, { key, text: 'v1', ttlSeconds: 60, guard, limits }),
      'stored',
      'the fill script runs (key and guard in one slot)',
    )
    const hashKey = cacheKeys.timeline('evt-a', 'day')
    const hashGuard = await readFillGuard(redis, hashKey)
    t.equal(await fillIfUnchanged(redis, { key: hashKey, field: 'r=1', text: 'v', ttlSeconds: 60, guard: hashGuard, limits }), 'stored')
    const userKey = cacheKeys.user('user-a')
    t.equal(
      await fillIfUnchanged(redis, {
        key: userKey,
        field: 'p=1',
        text: 'u',
        ttlSeconds: 60,
        guard: await readFillGuard(redis, userKey),
        limits,
      }),
      'stored',
    )

    const stale = await readFillGuard(redis, key)
    await invalidateProjections(redis, keys, { channel: 'cluster-test-changes', eventIds: ['evt-a', 'evt-b'] })
    t.equal(await redis.exists(key), 0, 'the dashboard is gone')
    t.equal(await redis.exists(hashKey), 0, 'the timeline hash is gone')
    t.equal(await redis.exists(userKey), 0, "the owner's summary (another slot) is gone")
    t.equal(
      await fillIfUnchanged(redis, { key, text: 'old', ttlSeconds: 60, guard: stale, limits }),
      'invalidated',
      'a load from before is dropped',
    )
    for (let attempt = 0; attempt < 100 && heard.length === 0; attempt += 1) await sleep(50)
    t.match(heard[0] ?? '', /"eventIds":\["evt-a","evt-b"\]/, 'the subscriber on another connection heard the change')
  })

  await t.test('the queue check reads every master and refuses one that evicts', async (t) => {
    const facts = await checkQueueRedis(redis, { allowEviction: false, logger })
    t.equal(facts.maxmemoryPolicy, 'noeviction')
    const last = cluster.nodes.at(-1)!
    const master = new Redis({ host: last.host, port: last.port })
    t.teardown(() => master.disconnect())
    await master.config('SET', 'maxmemory-policy', 'allkeys-lru')
    await t.rejects(checkQueueRedis(redis, { allowEviction: false, logger }), UnsafeQueueRedisError)
    await t.rejects(
      checkQueueRedis(redis, { allowEviction: false, logger }),
      new RegExp(`master 127\\.0\\.0\\.1:${last.port} has maxmemory-policy=allkeys-lru`),
    )
    await master.config('SET', 'maxmemory-policy', 'noeviction')
  })
})

t.test('configuration: nodes, one of URL and nodes, the BullMQ prefix', async (t) => {
  const shape = { REDIS_URL: env.url('redis://127.0.0.1:6379'), REDIS_CLUSTER_NODES: env.redisNodes() }
  const raw = loadConfig(shape, { REDIS_CLUSTER_NODES: 'a:7000, b:7001' })
  t.same(raw.REDIS_CLUSTER_NODES, [
    { host: 'a', port: 7000 },
    { host: 'b', port: 7001 },
  ])
  t.equal(loadConfig(shape, {}).REDIS_CLUSTER_NODES, undefined, 'unset: no cluster')
  t.throws(() => loadConfig(shape, { REDIS_CLUSTER_NODES: 'a:7000,b' }), /REDIS_CLUSTER_NODES\.1: each node must be host:port/)
  t.throws(() => loadConfig(shape, { REDIS_CLUSTER_NODES: 'a:70000' }), /REDIS_CLUSTER_NODES\.0: port must be 1..65535/)
  const names = { url: 'REDIS_URL', clusterNodes: 'REDIS_CLUSTER_NODES' }
  const both = { REDIS_URL: 'redis://x:1', REDIS_CLUSTER_NODES: 'a:7000' }
  const parsed = loadConfig(shape, both)
  t.throws(
    () => redisEndpointFrom(both, names, { url: parsed.REDIS_URL, clusterNodes: parsed.REDIS_CLUSTER_NODES }, { url: parsed.REDIS_URL }),
    ConfigError,
  )
  const single: RedisEndpoint = { url: 'redis://x:1' }
  const onCluster: RedisEndpoint = { url: 'redis://x:1', clusterNodes: [{ host: 'a', port: 7000 }] }
  t.equal(clusterQueuePrefix('bull', single), 'bull', 'a single server keeps the prefix')
  t.equal(clusterQueuePrefix('bull', onCluster), '{bull}', 'a cluster hash-tags it')
  t.equal(clusterQueuePrefix('{run1}-bull', onCluster), '{run1}-bull', 'a prefix with a tag is kept')
  t.equal(hashTagOf('{bull}:ingest:wait'), 'bull')
  t.equal(hashTagOf('a{}b'), 'a{}b', 'an empty tag hashes the whole key')
})
