/**
 * CACHE_REDIS_URL: the cache may live in a Redis of its own (LRU eviction), apart from the
 * queue's. The aggregator takes its jobs from the queue Redis and sends its invalidations to
 * the cache Redis, and only there.
 */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { cacheKeys } from '@event-analytics/contracts'
import { fillGuardKey, readFillGuard } from '@event-analytics/ops'
import { startRedisServer } from '@event-analytics/ops/testing'
import { Redis } from 'ioredis'
import type { DomainEvent } from '@event-analytics/contracts'
import { createTestDatabase } from '@event-analytics/db/testing'
import { createAggregator } from '../src/index.js'
import { openQueue, testConfig, uniquePrefix } from './helpers/queue.js'

const run = randomBytes(3).toString('hex')

t.test('invalidations reach the cache Redis, not the queue Redis', async (t) => {
  // What an operator would run for the cache: bounded memory, least recently used keys evicted.
  const server = await startRedisServer({ args: ['--maxmemory', '16mb', '--maxmemory-policy', 'allkeys-lru'] })
  t.teardown(() => server.stop())
  const cache = { url: server.url, redis: new Redis(server.url, { maxRetriesPerRequest: 1 }) }
  t.teardown(() => cache.redis.disconnect())
  const { url } = await createTestDatabase(t)
  const prefix = uniquePrefix('cache-redis')
  const q = await openQueue(prefix)
  t.teardown(() => q.close())

  const eventId = `cache-redis-${run}`
  const owner = `owner-${run}`
  const keys = [cacheKeys.dashboard(eventId), cacheKeys.timeline(eventId, 'hour'), cacheKeys.user(owner)]
  await cache.redis.mset(...keys.flatMap((key) => [key, 'before the commit']))
  for (const key of keys) await readFillGuard(cache.redis, key)
  // The same names in the queue Redis: they must be left alone.
  await q.redis.mset(...keys.flatMap((key) => [key, 'not the cache']))
  for (const key of keys) await readFillGuard(q.redis, key)
  t.teardown(() => q.redis.del(...keys, ...keys.map(fillGuardKey)).then(() => undefined))

  const at = Date.UTC(2024, 6, 1, 12)
  const messages: DomainEvent[] = [
    {
      kind: 'EventCreated',
      messageId: `${run}-1`,
      eventId,
      occurredAt: at,
      userId: owner,
      title: 'Two Redis',
      totalInvestment: '100.00',
      expectedRevenue: '900.00',
      expectedParticipants: 3,
      targetRoi: '10.00',
      salesGrowthRate: null,
    },
    { kind: 'ParticipantRegistered', messageId: `${run}-2`, eventId, occurredAt: at + 1000, participantId: 'p-1', channelName: 'KAKAO' },
  ]
  await q.add(messages)
  const aggregator = createAggregator(testConfig(url, prefix, { cacheRedisUrl: cache.url }), { defaultMetrics: false })
  await aggregator.start()
  t.teardown(() => aggregator.close())
  t.same(await q.settled(), { completed: 1, failed: 0 }, 'the job came from the queue Redis')

  t.equal(await cache.redis.exists(...keys), 0, 'the cache Redis lost the stale entries')
  t.equal(await cache.redis.exists(...keys.map(fillGuardKey)), 0, 'and their fill guards')
  t.same(
    await q.redis.mget(...keys),
    keys.map(() => 'not the cache'),
    'the queue Redis kept its keys',
  )
  t.equal(await q.redis.exists(...keys.map(fillGuardKey)), keys.length, 'and their guards')
})
