/** Every view carries `asOf`: the newest input of the event (or channel, or the owner's events). */
import t from 'tap'
import { bearer, createHarness } from './helpers.js'

const h = await createHarness(t)
const { db } = h.testDb
const eventAt = new Date('2026-03-05T09:30:00.000Z')
const channelAt = new Date('2026-03-05T08:00:00.000Z')
const olderEventAt = new Date('2026-02-01T00:00:00.000Z')
const committedAt = new Date('2026-03-05T09:30:02.500Z')

await db
  .insertInto('event_stats')
  .values([
    { event_id: 'asof-1', user_id: 'asof-owner', title: '봄 이벤트', event_created_at: olderEventAt, last_occurred_at: eventAt },
    {
      event_id: 'asof-2',
      user_id: 'asof-owner',
      title: 'Old one',
      event_created_at: olderEventAt,
      last_occurred_at: olderEventAt,
      last_committed_at: committedAt,
      last_ingest_read_at: new Date(committedAt.getTime() - 1250),
    },
    { event_id: 'asof-new', user_id: 'asof-owner', title: 'Nothing since 0005', event_created_at: olderEventAt },
  ])
  .execute()
await db
  .insertInto('channel_stats')
  .values([{ event_id: 'asof-1', channel_name: 'INSTAGRAM', channel_type: 'SNS', participants: 1, last_occurred_at: channelAt }])
  .execute()
const owner = bearer(await h.token('asof-owner'))
const get = async (url: string): Promise<Record<string, unknown>> => {
  const response = await h.app.inject({ method: 'GET', url, headers: owner })
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
  return response.json()
}

t.test('event views carry the event asOf; a channel its own', async (t) => {
  const base = '/api/v1/events/asof-1/analytics'
  t.equal((await get(base))['asOf'], eventAt.toISOString(), 'dashboard')
  t.equal((await get(`${base}/roi`))['asOf'], eventAt.toISOString(), 'roi')
  t.equal((await get(`${base}/timeline?granularity=day`))['asOf'], eventAt.toISOString(), 'timeline')
  const list = await get(`${base}/channels`)
  t.equal(list['asOf'], eventAt.toISOString(), 'channel list')
  t.same(
    (list['channels'] as { asOf: unknown }[]).map((channel) => channel.asOf),
    [channelAt.toISOString()],
  )
  t.equal((await get(`${base}/channels/INSTAGRAM`))['asOf'], channelAt.toISOString(), 'one channel')
})

t.test("the owner's summary carries the newest of their events; unknown is null", async (t) => {
  t.equal((await get('/api/v1/users/asof-owner/analytics'))['asOf'], eventAt.toISOString())
  t.equal((await get('/api/v1/events/asof-new/analytics'))['asOf'], null)
  t.same(h.serverErrors, [])
})

t.test("the dashboard tells the newest commit and the pipeline's own delay apart from asOf", async (t) => {
  const old = await get('/api/v1/events/asof-2/analytics')
  t.equal(old['asOf'], olderEventAt.toISOString(), 'old data')
  t.equal(old['committedAt'], committedAt.toISOString(), 'committed later')
  t.equal(old['pipelineDelaySeconds'], 1.25, 'commit minus ingest read')
  const unknown = await get('/api/v1/events/asof-1/analytics')
  t.same([unknown['committedAt'], unknown['pipelineDelaySeconds']], [null, null], 'unknown before a commit recorded them')
})
