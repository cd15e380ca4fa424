import t from 'tap'
import { keysToInvalidate } from '@event-analytics/contracts'
import { invalidateProjections } from '@event-analytics/ops'
import { buildApp, loadApiConfig } from '../src/index.js'
import { etagOf } from '../src/plugins/etag.js'
import { bearer, createHarness, SECRET, storeFigures } from './helpers.js'

const h = await createHarness(t)
const { db } = h.testDb
const created = new Date('2026-03-01T00:00:00Z')

await db
  .insertInto('event_stats')
  .values([
    {
      event_id: 'evt-1',
      user_id: 'owner-1',
      title: 'Spring giveaway',
      event_created_at: created,
      own_investment: '1000.00',
      distribution_cost: '500.00',
      total_investment: '1500.00',
      expected_revenue: '3000.00',
      expected_participants: 100,
      target_roi: '50.00',
      sales_growth_rate: '12.50',
      total_participants: 30,
      total_views: 1300,
    },
    {
      event_id: 'evt-zero',
      user_id: 'owner-1',
      title: 'Zeroes',
      event_created_at: new Date('2026-02-01T00:00:00Z'),
      expected_revenue: '700.00',
      expected_participants: 0,
      target_roi: '0.00',
      total_participants: 5,
    },
    { event_id: 'evt-hidden', user_id: 'owner-1', title: 'Not created yet', event_created_at: null, total_participants: 9 },
    {
      event_id: 'evt-other',
      user_id: 'owner-2',
      title: 'Someone else',
      event_created_at: created,
      expected_revenue: '1.00',
      target_roi: '1.00',
    },
  ])
  .execute()
await db
  .insertInto('channel_stats')
  .values([
    {
      event_id: 'evt-1',
      channel_name: 'INSTAGRAM',
      channel_type: 'SNS',
      participants: 20,
      distribution_count: 2,
      distribution_cost: '300.00',
      impressions: 1000,
      views: 1000,
      clicks: 45,
      conversions: 9,
      likes: 10,
      comments: 4,
      shares: 1,
    },
    {
      event_id: 'evt-1',
      channel_name: 'GENIE_TV',
      channel_type: 'TV',
      participants: 0,
      distribution_count: 1,
      distribution_cost: '200.00',
      views: 300,
    },
    {
      event_id: 'evt-1',
      channel_name: 'RINGO_BIZ',
      channel_type: 'VOICE',
      participants: 7,
      total_calls: 8,
      completed_calls: 3,
      average_duration_sec: '41.50',
    },
    { event_id: 'evt-other', channel_name: 'INSTAGRAM', channel_type: 'SNS', participants: 1 },
  ])
  .execute()
await storeFigures(db)

const owner = await h.token('owner-1')
const stranger = await h.token('owner-2')
const operator = await h.token('ops-1', { operator: true })
/** `null`: no Authorization header at all. */
const get = (url: string, token: string | null = owner, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'GET', url, headers: { ...(token === null ? {} : bearer(token)), ...headers } })

t.test('dashboard figures follow docs/SPEC.md section 6', async (t) => {
  const response = await get('/api/v1/events/evt-1/analytics')
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.same(body.event, { eventId: 'evt-1', title: 'Spring giveaway', userId: 'owner-1', status: 'ACTIVE' })
  t.same(body.summary, {
    totalParticipants: 30,
    totalViews: 1300,
    totalInvestment: '1500.00',
    expectedRevenue: '3000.00',
    estimatedRevenue: '900.00',
    estimatedRoi: '-40.00',
    targetRoi: '50.00',
    roiAchievementRate: '-80.00',
    salesGrowthRate: '12.50',
  })
  t.same(
    body.channels.map((c: Record<string, unknown>) => [c['channelName'], c['participationRate'], c['costPerParticipant']]),
    [
      ['GENIE_TV', '0.00', null],
      ['INSTAGRAM', '2.00', '15.00'],
      ['RINGO_BIZ', null, '0.00'],
    ],
  )
})

t.test('zero denominators give null or 0 as specified', async (t) => {
  const body = (await get('/api/v1/events/evt-zero/analytics')).json()
  t.equal(body.summary.estimatedRevenue, '700.00', 'expectedParticipants 0: expected revenue')
  t.equal(body.summary.estimatedRoi, '0.00', 'no investment: ROI 0')
  t.equal(body.summary.roiAchievementRate, null, 'target 0: null')
  t.equal(body.summary.salesGrowthRate, null)
})

t.test('channels: all counters, rates, filter and sort', async (t) => {
  const all = (await get('/api/v1/events/evt-1/analytics/channels?sort=participants&order=desc')).json()
  t.same(
    all.channels.map((c: { channelName: string }) => c.channelName),
    ['INSTAGRAM', 'RINGO_BIZ', 'GENIE_TV'],
  )
  const instagram = all.channels[0]
  t.match(instagram, {
    ctr: '4.50',
    participationRate: '2.00',
    conversionRate: '20.00',
    costPerParticipant: '15.00',
    engagement: 15,
    callCompletionRate: null,
    distributionCount: 2,
    stale: false,
  })
  const tv = (await get('/api/v1/events/evt-1/analytics/channels?channelType=TV')).json()
  t.same(
    tv.channels.map((c: { channelName: string }) => c.channelName),
    ['GENIE_TV'],
  )
  t.match(tv.channels[0], { ctr: null, conversionRate: null, costPerParticipant: null, participationRate: '0.00' })
  const voice = (await get('/api/v1/events/evt-1/analytics/channels/RINGO_BIZ')).json()
  t.match(voice, { callCompletionRate: '37.50', averageDurationSec: '41.50', totalCalls: 8, completedCalls: 3 })
  const missing = await get('/api/v1/events/evt-1/analytics/channels/NOPE')
  t.equal(missing.statusCode, 404)
  t.match(missing.json(), { detail: /channel NOPE/ })
  const foreignMissing = await get('/api/v1/events/evt-1/analytics/channels/NOPE', stranger)
  t.same(foreignMissing.json().detail, 'event evt-1 was not found', 'a stranger learns nothing about the event')
})

t.test('ROI breakdown', async (t) => {
  const body = (await get('/api/v1/events/evt-1/analytics/roi')).json()
  t.same(body.investment.ownInvestment, '1000.00')
  t.same(body.investment.distributionCost, '500.00')
  t.same(body.investment.totalInvestment, '1500.00')
  t.same(
    body.investment.channels.map((c: { channelName: string; distributionCost: string }) => [c.channelName, c.distributionCost]),
    [
      ['GENIE_TV', '200.00'],
      ['INSTAGRAM', '300.00'],
      ['RINGO_BIZ', '0.00'],
    ],
  )
  t.same(body.revenue, { expectedRevenue: '3000.00', estimatedRevenue: '900.00', expectedParticipants: 100, totalParticipants: 30 })
  t.match(body, { estimatedRoi: '-40.00', targetRoi: '50.00', roiAchievementRate: '-80.00' })
})

t.test('user summary: totals, channel types, pages; hidden events excluded', async (t) => {
  const body = (await get('/api/v1/users/owner-1/analytics?limit=1')).json()
  t.same(body.totals, {
    events: 2,
    totalParticipants: 35,
    totalViews: 1300,
    totalInvestment: '1500.00',
    expectedRevenue: '3700.00',
    estimatedRevenue: '1600.00',
    estimatedRoi: '6.67',
  })
  t.same(
    body.events.items.map((e: { eventId: string }) => e.eventId),
    ['evt-1'],
  )
  t.match(body.events, { page: 1, limit: 1, total: 2 })
  const page2 = (await get('/api/v1/users/owner-1/analytics?limit=1&page=2')).json()
  t.same(
    page2.events.items.map((e: { eventId: string }) => e.eventId),
    ['evt-zero'],
  )
  t.same(
    body.channelTypes.map((c: { channelType: string; participants: number; ctr: string | null }) => [c.channelType, c.participants, c.ctr]),
    [
      ['SNS', 20, '4.50'],
      ['TV', 0, null],
      ['VOICE', 7, null],
    ],
  )
})

t.test('auth matrix', async (t) => {
  const expired = await h.token('owner-1', { ttlSeconds: -10 })
  const forged = await h.token('owner-1', { secret: 'another-secret-0123456789-0123456789-xyz' })
  const cases: [string, Record<string, string>, number][] = [
    ['no token', {}, 401],
    ['bad signature', bearer(forged), 401],
    ['expired', bearer(expired), 401],
    ['malformed', { authorization: 'Bearer not.a.jwt' }, 401],
    ['not bearer', { authorization: 'Basic abc' }, 401],
    ['garbage header', { authorization: "Bearer ' OR 1=1 --" }, 401],
  ]
  for (const [name, headers, status] of cases) {
    const response = await h.app.inject({ url: '/api/v1/events/evt-1/analytics', headers })
    t.equal(response.statusCode, status, name)
    t.match(response.headers['content-type'], /application\/problem\+json/, `${name}: problem+json`)
    t.equal(response.headers['www-authenticate'], 'Bearer')
  }
  const foreign = await get('/api/v1/events/evt-1/analytics', stranger)
  const missing = await get('/api/v1/events/evt-missing/analytics', stranger)
  t.equal(foreign.statusCode, 404)
  t.same(
    { ...foreign.json(), instance: '' },
    { ...missing.json(), instance: '', detail: foreign.json().detail },
    'foreign answers like missing',
  )
  t.equal(foreign.json().detail, 'event evt-1 was not found')
  t.equal((await get('/api/v1/events/evt-hidden/analytics')).statusCode, 404, 'no EventCreated yet: 404 even to its owner')
  t.equal((await get('/api/v1/users/owner-1/analytics', stranger)).statusCode, 404, "another user's summary")
  t.equal((await get('/api/v1/users/nobody/analytics', operator)).statusCode, 404, 'a user without events')
  for (const url of ['/api/v1/events/evt-1/analytics', '/api/v1/events/evt-1/analytics/timeline', '/api/v1/users/owner-1/analytics']) {
    t.equal((await get(url, operator)).statusCode, 200, `operator reads ${url}`)
  }
  t.equal((await get('/admin/queues', null)).statusCode, 401, 'board without token')
  t.equal((await get('/admin/queues', owner)).statusCode, 403, 'board for a non-operator')
  t.equal((await get('/admin/queues/api/queues', operator)).statusCode, 200, 'board for an operator')
  const viaQuery = await get(`/admin/queues?token=${operator}`, null)
  t.equal(viaQuery.statusCode, 200, 'board token via query')
  const cookie = String(viaQuery.headers['set-cookie']).split(';')[0]!
  t.equal((await get('/admin/queues/api/queues', null, { cookie })).statusCode, 200, 'then via cookie')
})

t.test('bad parameters are 400 problem+json', async (t) => {
  const long = 'x'.repeat(37)
  const urls = [
    '/api/v1/events/evt-1/analytics/timeline?granularity=year',
    '/api/v1/events/evt-1/analytics/timeline?from=2026-03-02&to=2026-03-01',
    '/api/v1/events/evt-1/analytics/timeline?tz=Mars/Olympus',
    '/api/v1/events/evt-1/analytics/timeline?granularity=hour&from=2020-01-01&to=2026-01-01',
    '/api/v1/events/evt-1/analytics/timeline?from=yesterday',
    `/api/v1/events/${long}/analytics`,
    `/api/v1/users/${long}/analytics`,
    `/api/v1/events/evt-1/analytics/channels/${'C'.repeat(51)}`,
    "/api/v1/events/evt-1'%20OR%20'1'='1/analytics",
    '/api/v1/events/evt-1;DROP%20TABLE%20event_stats/analytics',
    "/api/v1/events/evt-1/analytics/timeline?tz=UTC'%3B--",
    '/api/v1/events/evt-1/analytics/channels?channelType=RADIO',
    '/api/v1/events/evt-1/analytics/channels?sort=password',
    '/api/v1/users/owner-1/analytics?page=0',
    '/api/v1/users/owner-1/analytics?limit=1000',
    '/api/v1/users/owner-1/analytics?page=abc',
  ]
  for (const url of urls) {
    const response = await get(url)
    t.equal(response.statusCode, 400, url)
    t.match(response.headers['content-type'], /application\/problem\+json/)
    t.match(response.json(), { type: String, title: 'Bad Request', status: 400, detail: String, instance: String })
  }
  const unknown = await get('/api/v1/nowhere')
  t.equal(unknown.statusCode, 404)
  t.match(unknown.headers['content-type'], /application\/problem\+json/)
  t.ok((await db.selectFrom('event_stats').select('event_id').execute()).length > 0, 'tables intact')
})

t.test('cache-aside: hit, then fresh figures after invalidation', async (t) => {
  const first = await get('/api/v1/events/evt-1/analytics/roi', operator)
  const second = await get('/api/v1/events/evt-1/analytics/roi', operator)
  t.equal(second.headers['x-cache'], 'hit')
  t.equal(second.body, first.body)
  t.equal(await h.redis.exists('analytics:roi:{evt-1}'), 1, 'seed key layout')
  t.ok((await h.redis.ttl('analytics:roi:{evt-1}')) > 3500, 'TTL 3600 s')
  await db.updateTable('event_stats').set({ total_participants: 60 }).where('event_id', '=', 'evt-1').execute()
  await storeFigures(db, ['evt-1'])
  t.equal((await get('/api/v1/events/evt-1/analytics/roi')).json().revenue.totalParticipants, 30, 'stale until invalidated')
  await h.invalidate(keysToInvalidate({ eventId: 'evt-1', userId: 'owner-1', channelNames: ['INSTAGRAM'] }), ['evt-1'])
  const fresh = await get('/api/v1/events/evt-1/analytics/roi')
  t.equal(fresh.headers['x-cache'], 'miss')
  t.equal(fresh.json().revenue.estimatedRevenue, '1800.00')
  t.equal(fresh.json().estimatedRoi, '20.00')
  const metrics = await h.metrics.registry.getSingleMetricAsString('query_api_cache_requests_total')
  t.match(metrics, /projection="roi",result="miss"\} [1-9]/)
  // The hit was served in process (the local layer), without reaching Redis.
  const local = await h.metrics.registry.getSingleMetricAsString('query_api_local_cache_requests_total')
  t.match(local, /projection="roi",result="hit"\} [1-9]/)
})

t.test('a load that raced an invalidation is served once but never stored', async (t) => {
  const key = 'analytics:roi:evt-race'
  const dropped = () => h.metrics.cacheFillsDropped.get().then((metric) => metric.values[0]?.value ?? 0)
  const droppedBefore = await dropped()
  const raced = await h.app.projectionCache.get({
    projection: 'roi',
    key,
    // The load read PostgreSQL before the aggregator's commit; the invalidation lands before the fill.
    load: async () => {
      await invalidateProjections(h.redis, [key])
      return { figures: 'before the commit' }
    },
  })
  t.same(raced, { value: { figures: 'before the commit' }, hit: false })
  t.equal(await h.redis.exists(key), 0, 'the stale load was not stored')
  t.equal(await dropped(), droppedBefore + 1, 'counted as a dropped fill')
  const next = await h.app.projectionCache.get({ projection: 'roi', key, load: async () => ({ figures: 'after the commit' }) })
  t.same(next, { value: { figures: 'after the commit' }, hit: false })
  const cached = await h.app.projectionCache.get({ projection: 'roi', key, load: async () => ({ figures: 'never loaded' }) })
  t.same(cached, { value: { figures: 'after the commit' }, hit: true })
  t.teardown(() => invalidateProjections(h.redis, [key]))
})

t.test('ETag round trip gives 304', async (t) => {
  const first = await get('/api/v1/events/evt-1/analytics')
  const etag = first.headers['etag']
  t.type(etag, 'string')
  const again = await get('/api/v1/events/evt-1/analytics', owner, { 'if-none-match': String(etag) })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  await db.updateTable('event_stats').set({ total_views: 1301 }).where('event_id', '=', 'evt-1').execute()
  await h.invalidate(keysToInvalidate({ eventId: 'evt-1', userId: 'owner-1', channelNames: [] }), ['evt-1'])
  const changed = await get('/api/v1/events/evt-1/analytics', owner, { 'if-none-match': String(etag) })
  t.equal(changed.statusCode, 200, 'a changed figure changes the tag')
  t.not(changed.headers['etag'], etag)
})

t.test('a hit answers like the miss; an entry in the former {owner, body} layout still serves', async (t) => {
  const key = 'analytics:dashboard:{evt-1}'
  await h.invalidate([key], ['evt-1'])
  const miss = await get('/api/v1/events/evt-1/analytics')
  const hit = await get('/api/v1/events/evt-1/analytics')
  t.equal(miss.headers['x-cache'], 'miss')
  t.equal(hit.headers['x-cache'], 'hit')
  t.equal(hit.body, miss.body)
  for (const header of ['etag', 'content-type', 'cache-control']) t.equal(hit.headers[header], miss.headers[header], header)
  t.equal(hit.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(hit.headers['etag'], etagOf(hit.body), 'the stored tag is the hash of the body sent')
  t.equal((await get('/api/v1/events/evt-1/analytics', stranger)).statusCode, 404, 'owner check on a hit')
  const stored = JSON.parse((await h.redis.get(key)) ?? 'null') as Record<string, unknown>
  t.same(Object.keys(stored), ['owner', 'etag', 'body'], 'still a JSON object with owner and body')
  await h.invalidate([key], ['evt-1']) // out of the local layer too: the next hit reads Redis
  await h.redis.set(key, JSON.stringify({ owner: 'owner-1', body: miss.json() }), 'EX', 3600)
  const legacy = await get('/api/v1/events/evt-1/analytics')
  t.equal(legacy.headers['x-cache'], 'hit')
  t.equal(legacy.body, miss.body)
  t.equal(legacy.headers['etag'], miss.headers['etag'])
  t.equal((await get('/api/v1/events/evt-1/analytics', stranger)).statusCode, 404, 'owner check on a former entry')
  t.equal((await get('/api/v1/events/evt-1/analytics', owner, { 'if-none-match': String(miss.headers['etag']) })).statusCode, 304)
})

t.test('docs, health, readiness, metrics', async (t) => {
  const doc = (await get('/docs/json', null)).json()
  t.ok(doc.paths['/api/v1/events/{eventId}/analytics/timeline'], 'OpenAPI lists the timeline')
  t.equal((await get('/docs', null)).statusCode < 400, true, 'Swagger UI served')
  t.equal((await get('/health', null)).statusCode, 200)
  t.same((await get('/ready', null)).json(), { ready: true, checks: { postgres: { ok: true }, cache: { ok: true } } })
  t.match((await get('/metrics', null)).body, /query_api_request_duration_seconds_bucket/)
})

t.test('request durations are labelled by route pattern, HEAD and unmatched requests included', async (t) => {
  const dashboard = await get('/api/v1/events/evt-1/analytics')
  const head = await h.app.inject({ method: 'HEAD', url: '/api/v1/events/evt-1/analytics', headers: bearer(owner) })
  t.equal(head.statusCode, 200)
  t.equal(head.headers['etag'], dashboard.headers['etag'], 'the ETag on the HEAD route too')
  t.equal((await get('/api/v1/no-such-route')).statusCode, 404)
  const body = (await get('/metrics', null)).body
  const count = (labels: string) => new RegExp(`query_api_request_duration_seconds_count\\{${labels}\\} [1-9]`)
  t.match(body, count('method="GET",route="/api/v1/events/:eventId/analytics",status_code="200"'), 'the pattern, not the URL')
  t.match(body, count('method="HEAD",route="/api/v1/events/:eventId/analytics",status_code="200"'))
  t.match(body, count('method="GET",route="unmatched",status_code="404"'))
  t.notMatch(body, /route="\/api\/v1\/events\/evt-1/, 'no raw URL as a label')
})

t.test('rate limiting answers 429 problem+json', async (t) => {
  const config = loadApiConfig({ JWT_SECRET: SECRET, NODE_ENV: 'test', RATE_LIMIT_MAX: '2', CORS_ORIGINS: 'https://dash.example' })
  const limited = await buildApp({ db, redis: h.redis, config })
  t.teardown(() => limited.close())
  const statuses: number[] = []
  for (let i = 0; i < 3; i += 1) {
    const response = await limited.inject({
      url: '/api/v1/events/evt-1/analytics',
      headers: { ...bearer(owner), origin: 'https://dash.example' },
    })
    statuses.push(response.statusCode)
    if (i === 0) t.equal(response.headers['access-control-allow-origin'], 'https://dash.example', 'CORS')
    if (response.statusCode === 429) t.match(response.json(), { status: 429, title: 'Too Many Requests' })
  }
  t.same(statuses, [200, 200, 429])
})

t.test('no request of this suite got a 5xx', async (t) => {
  t.same(h.serverErrors, [])
})
