/** CSV export of the timeline and the channel table: same auth, BOM, header, plain decimals, local times, Korean titles. */
import t from 'tap'
import { ensureTimelinePartitions } from '@event-analytics/db'
import { bearer, createHarness } from './helpers.js'

const h = await createHarness(t)
const { db } = h.testDb
const TITLE = '봄맞이 "커피" 1+1, 이벤트'
await db
  .insertInto('event_stats')
  .values([
    { event_id: 'csv-1', user_id: 'csv-owner', title: TITLE, event_created_at: new Date('2026-03-01T00:00:00Z') },
    { event_id: 'csv-formula', user_id: 'csv-owner', title: '=HYPERLINK("http://x")', event_created_at: new Date('2026-03-01T00:00:00Z') },
  ])
  .execute()
await ensureTimelinePartitions(db, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z'))
// 14:00 and 15:00 UTC on 03-05 are 23:00 on 03-05 and 00:00 on 03-06 in Seoul.
await db
  .insertInto('timeline_data')
  .values([
    { event_id: 'csv-1', timestamp: new Date('2026-03-05T14:00:00Z'), participants: 3, views: 10, cumulative_participants: 3 },
    { event_id: 'csv-1', timestamp: new Date('2026-03-05T15:00:00Z'), participants: 4, views: 20, cumulative_participants: 7 },
  ])
  .execute()
await db
  .insertInto('channel_stats')
  .values([
    {
      event_id: 'csv-1',
      channel_name: 'INSTAGRAM',
      channel_type: 'SNS',
      participants: 7,
      views: 1000,
      impressions: 2000,
      clicks: 40,
      distribution_count: 1,
      distribution_cost: '1234567.80',
      metrics_as_of: new Date('2026-03-05T15:00:00Z'),
    },
    { event_id: 'csv-1', channel_name: 'GENIE_TV', channel_type: 'TV', participants: 0, distribution_cost: '0.00' },
  ])
  .execute()
const owner = bearer(await h.token('csv-owner'))
const get = (url: string, headers: Record<string, string> = owner) => h.app.inject({ method: 'GET', url, headers })
const lines = (body: string) =>
  body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n')

t.test('timeline: day buckets in the requested zone, with BOM, header and the Korean title', async (t) => {
  const response = await get('/api/v1/events/csv-1/analytics/timeline.csv?granularity=day&tz=Asia/Seoul&from=2026-03-05&to=2026-03-06')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(response.headers['content-disposition'], 'attachment; filename="csv-1-timeline-day.csv"')
  t.equal(response.headers['etag'], undefined, "the JSON ETag is not the CSV's")
  t.ok(response.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 BOM')
  const quoted = `"${TITLE.replace(/"/g, '""')}"`
  t.same(lines(response.body), [
    'event_id,event_title,granularity,time_zone,bucket_start,bucket_end,participants,views,engagement,conversions,cumulative_participants',
    `csv-1,${quoted},day,Asia/Seoul,2026-03-05 00:00+09:00,2026-03-06 00:00+09:00,3,10,0,0,3`,
    `csv-1,${quoted},day,Asia/Seoul,2026-03-06 00:00+09:00,2026-03-07 00:00+09:00,4,20,0,0,7`,
  ])
  const json = await get('/api/v1/events/csv-1/analytics/timeline?granularity=day&tz=Asia/Seoul&from=2026-03-05&to=2026-03-06')
  t.equal(json.headers['content-type'], 'application/json; charset=utf-8', 'the JSON route is unchanged')
  t.equal(json.headers['vary'], 'accept')
  const negotiated = await get('/api/v1/events/csv-1/analytics/timeline?granularity=day&tz=Asia/Seoul&from=2026-03-05&to=2026-03-06', {
    ...owner,
    accept: 'text/csv',
  })
  t.equal(negotiated.body, response.body, 'Accept: text/csv on the JSON route gives the same CSV')
  const utcHours = await get(
    '/api/v1/events/csv-1/analytics/timeline.csv?granularity=hour&tz=UTC&from=2026-03-05T14:00:00Z&to=2026-03-05T15:00:00Z',
  )
  t.match(lines(utcHours.body)[1], /,hour,UTC,2026-03-05 14:00\+00:00,2026-03-05 15:00\+00:00,3,/)
})

t.test('channels: money and rates as plain decimals, nulls empty, times in the default zone', async (t) => {
  const response = await get('/api/v1/events/csv-1/analytics/channels.csv?sort=participants&order=desc')
  t.equal(response.statusCode, 200)
  const [header, instagram, genie] = lines(response.body)
  t.equal(
    header,
    'event_id,event_title,channel_name,channel_type,participants,views,impressions,clicks,conversions,engagement,' +
      'distribution_count,distribution_cost,ctr_percent,participation_rate_percent,conversion_rate_percent,cost_per_participant,' +
      'call_completion_rate_percent,metrics_as_of,stale',
  )
  t.match(
    instagram,
    /^csv-1,".*",INSTAGRAM,SNS,7,1000,2000,40,0,0,1,1234567.80,2.00,0.70,0.00,176366.83,,2026-03-06 00:00\+09:00,(true|false)$/,
  )
  t.match(genie, /^csv-1,".*",GENIE_TV,TV,0,0,0,0,0,0,0,0.00,,,,,,,false$/)
})

t.test('a title a spreadsheet would run as a formula is defused', async (t) => {
  const response = await get('/api/v1/events/csv-formula/analytics/channels.csv')
  t.equal(response.statusCode, 200)
  t.equal(lines(response.body).length, 1, 'no channels: the header alone')
  const timeline = await get('/api/v1/events/csv-formula/analytics/timeline.csv?granularity=day&from=2026-03-05&to=2026-03-05')
  t.match(lines(timeline.body)[1], /^csv-formula,"'=HYPERLINK\(""http:\/\/x""\)",day,/)
})

t.test('the OpenAPI document declares the CSV answers (text/csv) beside the JSON', async (t) => {
  const doc = (await h.app.inject({ url: '/docs/json' })).json() as {
    paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> } }>
  }
  for (const path of ['/api/v1/events/{eventId}/analytics/timeline', '/api/v1/events/{eventId}/analytics/channels']) {
    const content = doc.paths[path]?.get.responses['200']?.content ?? {}
    t.same(Object.keys(content).sort(), ['application/json', 'text/csv'], path)
    t.equal(content['text/csv']?.schema['type'], 'string', `${path}: the CSV is text`)
    t.equal(content['application/json']?.schema['type'], 'object', `${path}: the JSON body is still described`)
  }
  const dashboard = doc.paths['/api/v1/events/{eventId}/analytics']?.get.responses['200']?.content ?? {}
  t.same(Object.keys(dashboard), ['application/json'], 'routes without CSV do not claim it')
})

t.test('same auth and validation as the JSON routes', async (t) => {
  t.equal((await get('/api/v1/events/csv-1/analytics/channels.csv', {})).statusCode, 401)
  t.equal((await get('/api/v1/events/csv-1/analytics/channels.csv', bearer(await h.token('someone-else')))).statusCode, 404)
  const bad = await get('/api/v1/events/csv-1/analytics/timeline.csv?tz=Mars/Olympus')
  t.equal(bad.statusCode, 400)
  t.match(bad.headers['content-type'], /application\/problem\+json/)
  t.same(h.serverErrors, [])
})
