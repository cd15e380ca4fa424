/** Pure snapshot rules and retry maths: milliseconds, no services. */
import t from 'tap'
import type { StoredChannelMetrics } from '@event-analytics/db'
import { failureKind, fetchThroughBreaker, isRetryable, metricsUrl, ProviderHttpError } from '../src/channel-metrics/client.js'
import { checkProgress, validateSnapshot } from '../src/channel-metrics/validate-snapshot.js'

const now = new Date('2026-03-01T12:00:00Z')
const body = {
  impressions: 100,
  views: 50,
  clicks: 10,
  conversions: 2,
  likes: 5,
  comments: 1,
  shares: 1,
  totalCalls: 4,
  completedCalls: 3,
  averageDurationSec: 42.5,
  asOf: '2026-03-01T11:59:00Z',
}

t.test('a valid body becomes a snapshot', async (t) => {
  const result = validateSnapshot(body, now)
  t.ok(result.ok)
  if (result.ok) {
    t.equal(result.snapshot.views, 50)
    t.equal(result.snapshot.averageDurationSec, '42.50')
    t.same(result.snapshot.asOf, new Date('2026-03-01T11:59:00Z'))
  }
  t.ok(validateSnapshot({ ...body, asOf: '2026-03-02T11:00:00Z' }, now).ok, 'less than 24 h ahead is tolerated')
})

t.test('rule-breaking bodies are rejected with a reason', async (t) => {
  const cases: Array<[unknown, string]> = [
    [null, 'not-an-object'],
    [[1], 'not-an-object'],
    [{ ...body, likes: undefined }, 'missing-field'],
    [{ ...body, asOf: null }, 'missing-field'],
    [{ ...body, views: 1.5 }, 'not-integer'],
    [{ ...body, views: '50' }, 'not-integer'],
    [{ ...body, clicks: -1 }, 'negative'],
    [{ ...body, completedCalls: 5 }, 'completed-over-total'],
    [{ ...body, averageDurationSec: -1 }, 'bad-average-duration'],
    [{ ...body, averageDurationSec: 'long' }, 'bad-average-duration'],
    [{ ...body, asOf: 'yesterday' }, 'bad-as-of'],
    [{ ...body, asOf: 12345 }, 'bad-as-of'],
    [{ ...body, asOf: '2026-03-02T12:00:01Z' }, 'future-as-of'],
  ]
  for (const [input, reason] of cases) {
    const result = validateSnapshot(input, now)
    t.equal(result.ok ? 'accepted' : result.reason, reason, `${JSON.stringify(input)?.slice(0, 60)} -> ${reason}`)
  }
})

t.test('progress: newer asOf and no counter going down', async (t) => {
  const result = validateSnapshot(body, now)
  if (!result.ok) throw new Error('fixture invalid')
  const next = result.snapshot
  const stored: StoredChannelMetrics = {
    impressions: 90,
    views: 50,
    clicks: 10,
    conversions: 2,
    likes: 5,
    comments: 1,
    shares: 1,
    totalCalls: 4,
    completedCalls: 3,
    averageDurationSec: '99.00',
    metricsAsOf: new Date('2026-03-01T11:00:00Z'),
  }
  t.equal(checkProgress(stored, next), null, 'equal or larger counters, newer asOf')
  t.equal(checkProgress({ ...stored, metricsAsOf: null }, next), null, 'first snapshot')
  t.equal(checkProgress({ ...stored, metricsAsOf: next.asOf }, next), 'not-newer')
  t.equal(checkProgress({ ...stored, metricsAsOf: new Date('2026-03-01T12:30:00Z') }, next), 'not-newer')
  t.equal(checkProgress({ ...stored, shares: 2 }, next), 'backwards')
  t.equal(checkProgress({ ...stored, completedCalls: 4 }, next), 'backwards')
})

t.test('client helpers', async (t) => {
  t.equal(metricsUrl('http://h:1/tv/', { eventId: 'e 1', channelName: 'A&B' }), 'http://h:1/tv/v1/metrics?eventId=e+1&channelName=A%26B')
  t.ok(isRetryable(new ProviderHttpError(503, 'u')))
  t.ok(isRetryable(new ProviderHttpError(429, 'u')))
  t.notOk(isRetryable(new ProviderHttpError(404, 'u')))
  t.notOk(isRetryable(Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' })))
  t.notOk(isRetryable(new SyntaxError('bad json')))
  t.ok(isRetryable(new TypeError('fetch failed')))
  t.equal(failureKind(Object.assign(new Error('x'), { name: 'TimeoutError' })), 'timeout')
  t.equal(failureKind(new ProviderHttpError(500, 'u')), 'http')
})

t.test('fetchThroughBreaker: retries retryable failures `retries` times, reporting every failed attempt', async (t) => {
  const failures: [string, number][] = []
  const answers: unknown[] = [new ProviderHttpError(503, 'u'), new TypeError('fetch failed'), { views: 1 }]
  let fired = 0
  // A breaker stand-in: fetchThroughBreaker only calls fire(); the answers are scripted.
  const scripted = {
    fire: async () => {
      const answer = answers[fired++]
      if (answer instanceof Error) throw answer
      return answer
    },
  }
  const options = {
    retries: 2,
    retryBaseMs: 1,
    random: () => 0,
    onAttemptFailure: (error: unknown, attempt: number) => failures.push([failureKind(error), attempt]),
  }
  t.same(await fetchThroughBreaker(scripted, 'u', options), { views: 1 })
  t.same(failures, [
    ['http', 1],
    ['network', 2],
  ])
  fired = 0
  failures.length = 0
  answers.splice(0, 3, new ProviderHttpError(500, 'u'), new ProviderHttpError(500, 'u'), new ProviderHttpError(500, 'u'))
  await t.rejects(fetchThroughBreaker(scripted, 'u', options), ProviderHttpError)
  t.equal(fired, 3, 'the first attempt and 2 retries')
  t.equal(failures.length, 3, 'the last failure is reported too')
  fired = 0
  answers.splice(0, 1, new ProviderHttpError(404, 'u'))
  await t.rejects(fetchThroughBreaker(scripted, 'u', options), ProviderHttpError)
  t.equal(fired, 1, 'a 404 is not retried')
})
