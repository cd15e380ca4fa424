/**
 * The timeline hammer against a real API (PostgreSQL, and a cache Redis of the test's own so
 * used_memory is not moved by anyone else): the cache key stays under the cap while the
 * answers would have filled it many times over.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { cappedKeyMemoryBound } from '@event-analytics/ops'
import { ensureTimelinePartitions } from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import { buildApp, createApiMetrics, loadApiConfig, signDevToken } from '@event-analytics/query-api'
import { hammerTimelineRanges } from '../src/timeline-hammer.js'
import { startRedisServer } from '@event-analytics/ops/testing'

t.test('one owner hammering distinct timeline ranges: the cache key stays under the cap', async (t) => {
  const cacheRedis = await startRedisServer()
  t.teardown(() => cacheRedis.stop())
  const redis = new Redis(cacheRedis.url, { maxRetriesPerRequest: 1 })
  t.teardown(() => redis.quit())

  const { db } = await createTestDatabase(t)
  const end = new Date('2026-05-10T00:00:00Z')
  await db
    .insertInto('event_stats')
    .values({ event_id: 'evt-hammer', user_id: 'owner-hammer', title: 'Hammered', event_created_at: end })
    .execute()
  await ensureTimelinePartitions(db, end, end)
  await db
    .insertInto('timeline_data')
    .values({ event_id: 'evt-hammer', timestamp: new Date(end.getTime() - 3_600_000), participants: 5, cumulative_participants: 5 })
    .execute()

  const secret = 'chaos-test-secret-0123456789-0123456789'
  const config = loadApiConfig({
    JWT_SECRET: secret,
    NODE_ENV: 'test',
    CACHE_REDIS_URL: cacheRedis.url,
    CACHE_KEY_MAX_BYTES: String(256 * 1024),
    RATE_LIMIT_MAX: '100000',
  })
  const apiRedis = new Redis(config.cacheRedisUrl, { maxRetriesPerRequest: 1 })
  const app = await buildApp({ db, redis: apiRedis, config, metrics: createApiMetrics() })
  t.teardown(async () => {
    await app.close()
    await apiRedis.quit()
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })

  const result = await hammerTimelineRanges({
    apiBaseUrl: address,
    token: await signDevToken(secret, { sub: 'owner-hammer' }),
    eventId: 'evt-hammer',
    redis,
    requests: 80,
    spanHours: 240,
    end,
  })
  const bound = cappedKeyMemoryBound(config.cacheLimits)
  t.equal(result.failed, 0, 'every range answered')
  t.ok(result.answerBytes > 5 * config.cacheLimits.maxBytes, `the answers (${result.answerBytes} bytes) would overflow the cap`)
  t.ok(result.countedBytes > 0 && result.countedBytes <= config.cacheLimits.maxBytes, `counted ${result.countedBytes} bytes`)
  t.ok(result.fields > 0 && result.fields < result.requests, `${result.fields} ranges cached`)
  t.ok(result.keyMemoryBytes > 0 && result.keyMemoryBytes <= bound, `MEMORY USAGE ${result.keyMemoryBytes} <= ${bound}`)
  // Besides the key: its guard, and the connections' buffers (freed lazily).
  t.ok(result.usedMemoryDelta <= 2 * bound, `used_memory grew by ${result.usedMemoryDelta} bytes`)
})
