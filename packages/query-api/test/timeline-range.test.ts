import t from 'tap'
import {
  canComputeZone,
  countBuckets,
  localMidnight,
  parseBound,
  resolveRange,
  timelineBuckets,
  TimelineRangeError,
} from '../src/projections/timeline.js'
import { SingleFlight } from '../src/cache/single-flight.js'
import { etagOf, matches } from '../src/plugins/etag.js'

t.test('local midnight across DST', async (t) => {
  t.equal(localMidnight(2026, 3, 8, 'America/New_York').toISOString(), '2026-03-08T05:00:00.000Z')
  t.equal(localMidnight(2026, 3, 9, 'America/New_York').toISOString(), '2026-03-09T04:00:00.000Z')
  t.equal(localMidnight(2026, 11, 1, 'America/New_York').toISOString(), '2026-11-01T04:00:00.000Z')
  t.equal(localMidnight(2026, 11, 2, 'America/New_York').toISOString(), '2026-11-02T05:00:00.000Z')
  t.equal(localMidnight(2026, 3, 8, 'Asia/Seoul').toISOString(), '2026-03-07T15:00:00.000Z')
})

t.test('bounds parse instants and dates, nothing else', async (t) => {
  t.equal(parseBound('2026-03-08T10:00:00Z', 'UTC', 'from').toISOString(), '2026-03-08T10:00:00.000Z')
  t.equal(parseBound('2026-03-08T10:00:00+09:00', 'UTC', 'from').toISOString(), '2026-03-08T01:00:00.000Z')
  t.equal(parseBound('2026-03-08', 'Asia/Seoul', 'from').toISOString(), '2026-03-07T15:00:00.000Z')
  for (const bad of ['2026-02-30', '2026-03-08T10:00:00', 'yesterday', '1; DROP TABLE x', '2026-13-01T00:00:00Z']) {
    t.throws(() => parseBound(bad, 'UTC', 'from'), TimelineRangeError, bad)
  }
})

t.test('bucket counts per granularity', async (t) => {
  const at = (text: string) => new Date(text)
  t.equal(countBuckets(at('2026-03-08T00:00:00Z'), at('2026-03-08T23:59:59Z'), 'hour', 'UTC'), 24)
  t.equal(countBuckets(at('2026-03-08T05:00:00Z'), at('2026-03-09T03:59:59Z'), 'day', 'America/New_York'), 1, '23-hour day')
  t.equal(countBuckets(at('2026-03-02T00:00:00Z'), at('2026-03-08T23:00:00Z'), 'week', 'UTC'), 1, 'Monday..Sunday')
  t.equal(countBuckets(at('2026-03-01T00:00:00Z'), at('2026-03-02T00:00:00Z'), 'week', 'UTC'), 2, 'Sunday then Monday')
  t.equal(countBuckets(at('2025-12-31T00:00:00Z'), at('2026-01-01T00:00:00Z'), 'month', 'UTC'), 2)
  t.equal(countBuckets(at('2025-12-31T15:00:00Z'), at('2026-01-01T00:00:00Z'), 'month', 'Asia/Seoul'), 1, 'already January in Seoul')
})

t.test('range resolution', async (t) => {
  const now = new Date('2026-06-01T00:00:00Z')
  const base = { granularity: 'hour' as const, timeZone: 'UTC', maxBuckets: 1000 }
  t.throws(() => resolveRange({ ...base, from: '2026-03-02', to: '2026-03-01' }, undefined, now), /after/)
  t.throws(() => resolveRange({ ...base, from: '2026-01-01', to: '2026-06-01' }, undefined, now), /limit of 1000/)
  t.doesNotThrow(() => resolveRange({ ...base, granularity: 'day', from: '2024-01-01', to: '2026-06-01' }, undefined, now))
  const span = { first: new Date('2020-01-01T00:00:00Z'), last: new Date('2026-05-01T00:00:00Z') }
  const clamped = resolveRange(base, span, now)
  t.equal(clamped.to.toISOString(), span.last.toISOString(), 'default to: last data hour')
  t.ok(countBuckets(clamped.from, clamped.to, 'hour', 'UTC') <= 1000, 'default from is clamped under the limit')
  for (const granularity of ['day', 'week', 'month'] as const) {
    const range = resolveRange({ ...base, granularity, timeZone: 'America/New_York', maxBuckets: 5 }, span, now)
    t.ok(countBuckets(range.from, range.to, granularity, 'America/New_York') <= 5, `${granularity} clamp`)
  }
  const empty = resolveRange(base, undefined, now)
  t.equal(now.getTime() - empty.from.getTime(), 30 * 24 * 3_600_000, 'no data: last 30 days')
})

t.test('time zones', async (t) => {
  t.ok(canComputeZone('Asia/Seoul'))
  t.ok(canComputeZone('Asia/Kolkata'), 'a current name Intl lists only under its old alias')
  t.ok(canComputeZone('UTC'))
  t.notOk(canComputeZone('Mars/Olympus'))
  t.notOk(canComputeZone("Asia/Seoul'; --"))
})

t.test('single flight shares one load among concurrent callers', async (t) => {
  const flight = new SingleFlight<number>()
  let loads = 0
  let release!: (value: number) => void
  const gate = new Promise<number>((resolve) => (release = resolve))
  const calls = Array.from({ length: 10 }, () =>
    flight.run('k', () => {
      loads += 1
      return gate
    }),
  )
  release(42)
  const results = await Promise.all(calls)
  t.equal(loads, 1)
  t.same(
    results.map((r) => r.value),
    Array(10).fill(42),
  )
  t.equal(results.filter((r) => !r.shared).length, 1)
  t.equal(flight.size, 0, 'forgotten once settled')
  await t.rejects(
    flight.run('k', () => Promise.reject(new Error('boom'))),
    /boom/,
  )
  t.equal((await flight.run('k', async () => 7)).value, 7, 'a failure is not remembered')
})

t.test('etag matching', async (t) => {
  const tag = etagOf('{"a":1}')
  t.ok(matches(tag, tag))
  t.ok(matches(`"x", W/${tag}`, tag))
  t.ok(matches('*', tag))
  t.notOk(matches('"other"', tag))
  t.notOk(matches(undefined, tag))
  t.not(etagOf('{"a":2}'), tag)
})

t.test('bucket boundaries: whole UTC hours as given, others rounded up and flagged, each bucket its own', async (t) => {
  const hour = 3_600_000
  const row = (start: number, end: number, participants: number) => ({
    bucket_start_ms: start,
    bucket_end_ms: end,
    participants,
    views: 0,
    engagement: 0,
    conversions: 0,
    cumulative_participants: participants,
  })
  const day = Date.UTC(2026, 2, 8)
  const whole = timelineBuckets([row(day, day + 24 * hour, 1), row(day + 24 * hour, day + 48 * hour, 2)])
  t.notOk(whole.approximate)
  t.same(
    whole.buckets.map((b) => [b.bucketStart, b.bucketEnd, b.participants]),
    [
      ['2026-03-08T00:00:00.000Z', '2026-03-09T00:00:00.000Z', 1],
      ['2026-03-09T00:00:00.000Z', '2026-03-10T00:00:00.000Z', 2],
    ],
  )
  // Asia/Kolkata midnights (18:30 UTC), then a bucket that does not start where the last ended.
  const kolkata = Date.UTC(2026, 2, 7, 18, 30)
  const off = timelineBuckets([row(kolkata, kolkata + 24 * hour, 1), row(kolkata + 48 * hour, kolkata + 72 * hour, 2)])
  t.ok(off.approximate)
  t.same(
    off.buckets.map((b) => [b.bucketStart, b.bucketEnd]),
    [
      ['2026-03-07T19:00:00.000Z', '2026-03-08T19:00:00.000Z'],
      ['2026-03-09T19:00:00.000Z', '2026-03-10T19:00:00.000Z'],
    ],
  )
})
