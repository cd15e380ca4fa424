/**
 * The projection cache is bounded (real PostgreSQL and Redis): equivalent timeline queries share
 * one cached answer, and one owner asking for ever new ranges cannot grow a cache key past its
 * cap; past it the answers are still right, only served uncached.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { cacheKeys } from '@event-analytics/contracts'
import { DEFAULT_REDIS_URL, HASH_SIZE_FIELD, cappedKeyMemoryBound } from '@event-analytics/ops'
import { ensureTimelinePartitions } from '@event-analytics/db'
import type { NewTimelineData } from '@event-analytics/db'
import { loadApiConfig } from '../src/index.js'
import { REDIS_URL, bearer, createHarness } from './helpers.js'
import type { Harness } from './helpers.js'

const HOUR = 3_600_000
const START = Date.parse('2026-04-01T00:00:00Z')

/** An event with 96 hourly rows from START; its hourly participants, by hour. */
async function seedEvent(h: Harness, eventId: string, owner: string): Promise<Map<number, number>> {
  const { db } = h.testDb
  await db
    .insertInto('event_stats')
    .values({ event_id: eventId, user_id: owner, title: 'Bounded', event_created_at: new Date(START) })
    .execute()
  await ensureTimelinePartitions(db, new Date(START), new Date(START))
  const rows: NewTimelineData[] = []
  let cumulative = 0
  for (let i = 0; i < 96; i += 1) {
    const participants = (i % 4) + 1
    cumulative += participants
    rows.push({
      event_id: eventId,
      timestamp: new Date(START + i * HOUR),
      participants,
      views: i,
      engagement: 0,
      conversions: 0,
      cumulative_participants: cumulative,
    })
  }
  await db.insertInto('timeline_data').values(rows).execute()
  return new Map(rows.map((row) => [(row.timestamp as Date).getTime(), row.participants ?? 0]))
}

interface TimelineBody {
  from: string
  to: string
  buckets: Array<{ bucketStart: string; participants: number }>
}

t.test('equivalent timeline queries share one cache field', async (t) => {
  const h = await createHarness(t)
  await seedEvent(h, 'evt-eq', 'owner-eq')
  const headers = bearer(await h.token('owner-eq'))
  const get = (query: string) =>
    h.app.inject({ url: `/api/v1/events/evt-eq/analytics/timeline?granularity=day&tz=Asia/Seoul&${query}`, headers })
  // The same two local days in Seoul, written three ways.
  const asDates = await get('from=2026-04-01&to=2026-04-02')
  const asLocal = await get('from=2026-04-01T00:00:00%2B09:00&to=2026-04-02T00:00%2B09:00')
  const asUtc = await get('from=2026-03-31T15:00:00.000Z&to=2026-04-01T15:00:00Z')
  t.equal(asDates.statusCode, 200)
  t.same(
    [asDates, asLocal, asUtc].map((response) => response.headers['x-cache']),
    ['miss', 'hit', 'hit'],
  )
  t.equal(asLocal.body, asDates.body, 'the same answer')
  t.equal(asUtc.body, asDates.body, 'the same answer')
  const fields = (await h.redis.hkeys(cacheKeys.timeline('evt-eq', 'day'))).filter((field) => field !== HASH_SIZE_FIELD)
  t.equal(fields.length, 1, `one field: ${fields.join(', ')}`)

  // A different answer keeps its own field: another instant, another zone, a defaulted bound.
  const other = await Promise.all([
    get('from=2026-04-01T00:00:01%2B09:00&to=2026-04-02'),
    h.app.inject({
      url: '/api/v1/events/evt-eq/analytics/timeline?granularity=day&tz=UTC&from=2026-04-01&to=2026-04-02',
      headers,
    }),
    get('from=2026-04-01'),
  ])
  t.same(
    other.map((response) => response.headers['x-cache']),
    ['miss', 'miss', 'miss'],
  )
  t.equal(await h.redis.hlen(cacheKeys.timeline('evt-eq', 'day')), 4 + 1, 'four fields and the byte count')
  t.same(h.serverErrors, [])
})

t.test('one owner hammering distinct timeline ranges: the key stays under its cap, the answers stay right', async (t) => {
  const maxBytes = 64 * 1024
  const h = await createHarness(t, { CACHE_KEY_MAX_BYTES: String(maxBytes) })
  const hourly = await seedEvent(h, 'evt-cap', 'owner-cap')
  const headers = bearer(await h.token('owner-cap'))
  const key = cacheKeys.timeline('evt-cap', 'hour')
  const url = (i: number) => {
    // Distinct `from` each time (minutes apart), 49 to 72 hour buckets.
    const from = new Date(START + i * 60_000).toISOString()
    const to = new Date(START + (48 + (i % 24)) * HOUR).toISOString()
    return `/api/v1/events/evt-cap/analytics/timeline?granularity=hour&tz=UTC&from=${from}&to=${to}`
  }
  const requests = 150
  const answers: string[] = []
  let answered = 0
  for (let i = 0; i < requests; i += 1) {
    const response = await h.app.inject({ url: url(i), headers })
    t.equal(response.statusCode, 200)
    answers.push(response.body)
    answered += Buffer.byteLength(response.body)
    const body = response.json<TimelineBody>()
    const expected = [...hourly].filter(([at]) => at >= Math.floor(Date.parse(body.from) / HOUR) * HOUR && at <= Date.parse(body.to))
    const total = (list: Array<{ participants: number }>) => list.reduce((sum, bucket) => sum + bucket.participants, 0)
    if (body.buckets.length !== expected.length || total(body.buckets) !== expected.reduce((sum, [, n]) => sum + n, 0)) {
      t.fail(`request ${i}: ${body.buckets.length} buckets, ${total(body.buckets)} participants; expected ${expected.length} buckets`)
    }
  }
  t.ok(answered > 5 * maxBytes, `the answers (${answered} bytes) would overflow the cap five times over`)

  const counted = Number(await h.redis.hget(key, HASH_SIZE_FIELD))
  const fields = (await h.redis.hlen(key)) - 1
  t.ok(counted <= maxBytes, `counted ${counted} bytes <= ${maxBytes}`)
  t.ok(fields > 0 && fields < requests, `${fields} of ${requests} answers cached`)
  const raw = new Redis(REDIS_URL)
  t.teardown(() => raw.quit())
  const memory = Number(await raw.call('MEMORY', 'USAGE', `${String(h.redis.options.keyPrefix)}${key}`, 'SAMPLES', '0'))
  t.ok(memory <= cappedKeyMemoryBound(h.config.cacheLimits), `MEMORY USAGE ${memory} bytes`)

  const skipped = await h.metrics.cacheFillsSkipped.get()
  t.equal(
    skipped.values.find((value) => value.labels['reason'] === 'cap')?.value,
    requests - fields,
    'every answer not cached counted as skipped: cap',
  )

  // Asked again: the cached ranges are hits, the others are loaded again, and all answer the same.
  const again = []
  for (let i = 0; i < requests; i += 1) again.push(await h.app.inject({ url: url(i), headers }))
  t.equal(again.filter((response) => response.headers['x-cache'] === 'hit').length, fields)
  t.ok(
    again.every((response, i) => response.body === answers[i]),
    'every answer the same as the first time',
  )
  t.ok(Number(await h.redis.hget(key, HASH_SIZE_FIELD)) <= maxBytes)
  t.same(h.serverErrors, [])
})

t.test('configuration: the cache Redis defaults to the queue Redis; the caps come from the environment', async (t) => {
  const secret = { JWT_SECRET: 'config-test-secret-0123456789-0123456789' }
  const defaults = loadApiConfig({ ...secret })
  t.equal(defaults.redisUrl, DEFAULT_REDIS_URL)
  t.equal(defaults.cacheRedisUrl, DEFAULT_REDIS_URL)
  t.same(defaults.cacheLimits, { maxBytes: 1_048_576, maxFields: 256 })
  t.equal(loadApiConfig({ ...secret, REDIS_URL: 'redis://queue:6379' }).cacheRedisUrl, 'redis://queue:6379', 'REDIS_URL alone serves both')
  const split = loadApiConfig({ ...secret, REDIS_URL: 'redis://queue:6379', CACHE_REDIS_URL: 'redis://cache:6380/2' })
  t.same([split.redisUrl, split.cacheRedisUrl], ['redis://queue:6379', 'redis://cache:6380/2'])
  t.same(loadApiConfig({ ...secret, CACHE_KEY_MAX_BYTES: '4096', CACHE_HASH_MAX_FIELDS: '8' }).cacheLimits, {
    maxBytes: 4096,
    maxFields: 8,
  })
  t.throws(() => loadApiConfig({ ...secret, CACHE_REDIS_URL: 'not a url' }), /CACHE_REDIS_URL/)
  t.throws(() => loadApiConfig({ ...secret, CACHE_KEY_MAX_BYTES: '10' }), /CACHE_KEY_MAX_BYTES/)
})
