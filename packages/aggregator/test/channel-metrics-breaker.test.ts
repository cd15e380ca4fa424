/**
 * Circuit breakers against the simulated providers: an outage opens the provider's breaker
 * (metrics, provider_health), the last values stay and the query API (buildApp + inject on the
 * same database and Redis) marks them stale; recovery closes it and clears stale. A provider
 * slower than the timeout fails fast while the other providers' channels refresh in the same run.
 */
import t from 'tap'
import { readProviderHealth } from '@event-analytics/db'
import { buildApp, createApiMetrics, loadApiConfig, signDevToken } from '@event-analytics/query-api'
import { Redis } from 'ioredis'
import { createHarness, seedEvent } from './helpers/channel-metrics.js'
import type { Harness } from './helpers/channel-metrics.js'
import { REDIS_URL } from './helpers/queue.js'

const SECRET = 'breaker-test-secret-0123456789-0123456789'

interface ApiChannel {
  channelName: string
  channelType: string
  stale: boolean
  metricsAsOf: string | null
  views: number
}

async function openApi(t: { teardown(fn: () => unknown): void }, h: Harness) {
  // No key prefix: the aggregator deletes the real keys (event ids are unique per run).
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  const app = await buildApp({
    db: h.testDb.db,
    redis,
    // The API's in-process cache is fresh once an announcement arrived; these checks read in the
    // same tick as the aggregator's publish returns, before it can, so they read Redis directly.
    config: loadApiConfig({ JWT_SECRET: SECRET, NODE_ENV: 'test', API_LOCAL_CACHE_ENABLED: 'false' }),
    metrics: createApiMetrics(),
  })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await redis.quit()
  })
  const token = await signDevToken(SECRET, { sub: `owner-${h.run}` })
  const get = async <T>(path: string): Promise<T> => {
    const response = await app.inject({ method: 'GET', url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}` } })
    if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}: ${response.body}`)
    return response.json<T>()
  }
  return {
    dashboard: async (eventId: string) => (await get<{ channels: ApiChannel[] }>(`/events/${eventId}/analytics`)).channels,
    channels: async (eventId: string) => (await get<{ channels: ApiChannel[] }>(`/events/${eventId}/analytics/channels`)).channels,
    channel: (eventId: string, name: string) => get<ApiChannel>(`/events/${eventId}/analytics/channels/${name}`),
  }
}

const staleByName = (channels: readonly ApiChannel[]) => Object.fromEntries(channels.map((c) => [c.channelName, c.stale]))

t.test('outage opens the breaker, keeps the last values, marks them stale; recovery clears it', async (t) => {
  // Long enough that the open breaker is still open while the checks below read it, on a loaded
  // machine too; the recovery waits for the breaker's halfOpen event, not for this time.
  const h = await createHarness(t, { breakerResetMs: 8_000 })
  const api = await openApi(t, h)
  const refresher = h.aggregator.channelMetrics
  if (refresher === null) throw new Error('channel metrics must be enabled')
  const eventId = `outage-${h.run}`
  await seedEvent(h, eventId, Date.now() - 3_600_000)
  const refresh = () => {
    h.clock.now = Date.now()
    return refresher.runRefreshOnce()
  }
  const gauge = async (provider: string) =>
    (await h.aggregator.metrics.registry.getSingleMetric('aggregator_channel_metrics_breaker_state')?.get())?.values.find(
      (value) => value.labels['provider'] === provider,
    )?.value

  await refresh()
  t.same(staleByName(await api.dashboard(eventId)), { GENIE_TV: false, INSTAGRAM: false, RINGO_BIZ: false }, 'healthy: nothing stale')
  const before = await api.channel(eventId, 'GENIE_TV')
  t.ok(before.metricsAsOf !== null && before.views > 0)

  h.sim.setKnobs({ provider: 'tv', outage: true })
  const during = await refresh()
  t.match(during.TV, { applied: 0, failed: 1 })
  t.match(during.SNS, { applied: 1 })
  t.equal(await gauge('TV'), 2, 'TV breaker open in the metrics')
  t.equal(await gauge('SNS'), 0)
  t.match(await readProviderHealth(h.testDb.db), [
    { channel_type: 'SNS', state: 'closed' },
    { channel_type: 'TV', state: 'open' },
    { channel_type: 'VOICE', state: 'closed' },
  ])
  t.same(
    staleByName(await api.dashboard(eventId)),
    { GENIE_TV: true, INSTAGRAM: false, RINGO_BIZ: false },
    'cached dashboard was invalidated: TV stale',
  )
  const stale = await api.channel(eventId, 'GENIE_TV')
  t.same(
    { views: stale.views, metricsAsOf: stale.metricsAsOf, stale: stale.stale },
    { views: before.views, metricsAsOf: before.metricsAsOf, stale: true },
    'last values kept, with their time',
  )
  t.same(staleByName(await api.channels(eventId)), { GENIE_TV: true, INSTAGRAM: false, RINGO_BIZ: false })

  await refresh()
  t.match(
    await h.aggregator.metrics.registry.metrics(),
    /aggregator_channel_metrics_fetch_failures_total\{provider="TV",kind="breaker-open"\} 1/,
    'open breaker fails fast',
  )

  h.sim.setKnobs({ provider: 'tv', outage: false })
  const breaker = refresher.breakers.TV
  if (!breaker.halfOpen) await new Promise((resolve) => breaker.once('halfOpen', resolve))
  await refresher.runRefreshOnce().then(() => undefined) // flushes the half-open report too
  t.equal(await gauge('TV'), 0, 'TV breaker closed after a good trial call')
  t.match(await readProviderHealth(h.testDb.db), [{}, { channel_type: 'TV', state: 'closed' }, {}])
  const after = await api.channel(eventId, 'GENIE_TV')
  t.equal(after.stale, false, 'stale cleared')
  t.ok(after.metricsAsOf !== null && before.metricsAsOf !== null && after.metricsAsOf > before.metricsAsOf, 'newer snapshot')
  t.same(staleByName(await api.dashboard(eventId)), { GENIE_TV: false, INSTAGRAM: false, RINGO_BIZ: false })
})

t.test('a provider slower than the timeout fails fast; the others refresh in the same run', async (t) => {
  const h = await createHarness(t, { timeoutMs: 1000, retries: 1, concurrency: 2 })
  const refresher = h.aggregator.channelMetrics
  if (refresher === null) throw new Error('channel metrics must be enabled')
  const eventId = `slow-${h.run}`
  await seedEvent(h, eventId, Date.now() - 3_600_000, [
    ['TV_A', 'TV'],
    ['TV_B', 'TV'],
    ['SNS_A', 'SNS'],
    ['SNS_B', 'SNS'],
    ['SNS_C', 'SNS'],
    ['VOICE_A', 'VOICE'],
    ['VOICE_B', 'VOICE'],
  ])
  h.sim.setKnobs({ provider: 'sns', latencyMs: 5_000 })
  h.clock.now = Date.now()
  const summary = await refresher.runRefreshOnce()
  t.same(summary, {
    TV: { applied: 2, rejected: 0, failed: 0, skipped: 0 },
    SNS: { applied: 0, rejected: 0, failed: 3, skipped: 0 },
    VOICE: { applied: 2, rejected: 0, failed: 0, skipped: 0 },
  })
  const rows = await h.testDb.db
    .selectFrom('channel_stats')
    .select(['channel_name', 'metrics_as_of', 'views'])
    .where('event_id', '=', eventId)
    .orderBy('channel_name')
    .execute()
  t.same(
    rows.map((row) => [row.channel_name, row.metrics_as_of !== null]),
    [
      ['SNS_A', false],
      ['SNS_B', false],
      ['SNS_C', false],
      ['TV_A', true],
      ['TV_B', true],
      ['VOICE_A', true],
      ['VOICE_B', true],
    ],
    'healthy providers refreshed, the slow one untouched',
  )
  const text = await h.aggregator.metrics.registry.metrics()
  t.match(text, /aggregator_channel_metrics_fetch_failures_total\{provider="SNS",kind="timeout"\} [1-9]/)
  t.match(
    text,
    /aggregator_channel_metrics_fetch_failures_total\{provider="SNS",kind="breaker-open"\} [1-9]/,
    'the rest failed fast on the open breaker',
  )
  t.match(text, /aggregator_channel_metrics_breaker_state\{provider="SNS"\} 2/)
  const failure = h.logs.find((line) => line['msg'] === 'channel metrics fetch failed')
  t.match(failure, { provider: 'SNS', kinds: ['timeout'] }, 'logged with the reason')
  // SNS sits between TV and VOICE in the providers' order: refreshed one provider after the
  // other, VOICE would only be written after SNS gave up.
  const healthy = await h.testDb.db
    .selectFrom('channel_stats')
    .select(['channel_name', 'updated_at'])
    .where('event_id', '=', eventId)
    .where('channel_name', 'not like', 'SNS%')
    .execute()
  const gaveUpAt = Number(failure?.['time'])
  t.ok(
    Number.isFinite(gaveUpAt) && healthy.every((row) => row.updated_at.getTime() <= gaveUpAt),
    'every healthy channel was stored before the slow provider gave up',
  )
})
