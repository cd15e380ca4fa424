/**
 * The live dashboard stream on real Redis and PostgreSQL: the current body at once, a new one
 * after an announced change, freshness frames, ownership, the per-owner cap, session cookies
 * (token exchange and one-time login codes), and a clean end when the app closes.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { cacheKeys, keysToInvalidate } from '@event-analytics/contracts'
import { invalidateProjections } from '@event-analytics/ops'
import { signLoginCode } from '../src/auth/session.js'
import { bearer, createHarness, SECRET, storeFigures } from './helpers.js'
import type { Harness } from './helpers.js'
import { openSse } from '@event-analytics/ops/testing'

const channel = `test-changes-${process.pid}-${randomBytes(3).toString('hex')}`
const env = { CACHE_CHANGES_CHANNEL: channel, STREAM_MAX_PER_OWNER: '2', STREAM_HEARTBEAT_MS: '300' }

async function serve(h: Harness): Promise<string> {
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const address = h.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return `http://127.0.0.1:${address.port}`
}

async function seed(h: Harness, eventId: string, owner: string): Promise<void> {
  await h.testDb.db
    .insertInto('event_stats')
    .values({
      event_id: eventId,
      user_id: owner,
      title: '커피 1+1',
      event_created_at: new Date('2026-03-01T00:00:00Z'),
      expected_revenue: '1000.00',
      expected_participants: 10,
      target_roi: '10.00',
      last_occurred_at: new Date('2026-03-01T00:00:00Z'),
    })
    .execute()
  await storeFigures(h.testDb.db, [eventId])
}

/** What the aggregator does after a commit: the rows change, the keys go, the change is announced. */
async function commit(h: Harness, eventId: string, participants: number): Promise<void> {
  const committedAt = new Date()
  await h.testDb.db
    .updateTable('event_stats')
    .set({
      total_participants: participants,
      // Back-filled history: old data, committed 0.4 s after ingest read it.
      last_occurred_at: new Date('2026-03-01T05:00:00Z'),
      last_committed_at: committedAt,
      last_ingest_read_at: new Date(committedAt.getTime() - 400),
    })
    .where('event_id', '=', eventId)
    .execute()
  await storeFigures(h.testDb.db, [eventId])
  await invalidateProjections(h.redis, keysToInvalidate({ eventId, userId: null, channelNames: [] }), { channel, eventIds: [eventId] })
}

const h = await createHarness(t, env)
const base = await serve(h)
await seed(h, 'live-1', 'live-owner')
await seed(h, 'live-2', 'other-owner')
const owner = bearer(await h.token('live-owner'))
const url = (eventId: string) => `${base}/api/v1/events/${eventId}/analytics/stream`

t.test('current body at once, a new one after a committed change, freshness frames', async (t) => {
  const rest = await h.app.inject({ method: 'GET', url: '/api/v1/events/live-1/analytics', headers: owner })
  const stream = await openSse(url('live-1'), owner)
  t.teardown(() => stream.close())
  t.equal(stream.status, 200)
  t.match(stream.headers.get('content-type'), /^text\/event-stream/)
  const first = await stream.next('dashboard')
  t.equal(first.data, rest.body, 'the same bytes as the REST dashboard')
  t.equal(first.id, rest.headers['etag'], 'its id is the ETag')
  const pipeline = JSON.parse((await stream.next('pipeline')).data) as Record<string, unknown>
  t.equal(pipeline['asOf'], '2026-03-01T00:00:00.000Z')
  t.ok(Number(pipeline['ageSeconds']) > 0)
  t.equal(pipeline['pipelineDelaySeconds'], null, 'no commit recorded its delay yet')

  const started = Date.now()
  await commit(h, 'live-1', 7)
  const second = await stream.next('dashboard', 1000)
  t.ok(Date.now() - started < 1000, 'within a second of the commit')
  t.equal(JSON.parse(second.data).summary.totalParticipants, 7)
  t.not(second.id, first.id)
  const body = JSON.parse(second.data) as Record<string, unknown>
  t.equal(body['pipelineDelaySeconds'], 0.4, "the dashboard tells the pipeline's own delay at the newest commit")
  t.type(body['committedAt'], 'string')
  const after = JSON.parse((await stream.next('pipeline')).data) as Record<string, unknown>
  t.equal(after['asOf'], '2026-03-01T05:00:00.000Z')
  t.ok(Number(after['ageSeconds']) > 3600, 'the data is old (back-filled)')
  t.equal(after['pipelineDelaySeconds'], 0.4, 'while the pipeline itself took 0.4 s: the two are told apart')
  t.equal(after['committedAt'], body['committedAt'])

  await invalidateProjections(h.redis, [cacheKeys.dashboard('live-1')], { channel, eventIds: ['live-1'] })
  await stream.next('pipeline', 2000) // a heartbeat comes, but no dashboard for an unchanged body
  await commit(h, 'live-1', 8)
  t.equal(JSON.parse((await stream.next('dashboard', 1000)).data).summary.totalParticipants, 8, 'nothing repeated in between')

  const again = await openSse(url('live-1'), { ...owner, 'last-event-id': first.id ?? '' })
  t.teardown(() => again.close())
  t.equal(JSON.parse((await again.next('dashboard')).data).summary.totalParticipants, 8, 'a reconnect gets the current state')
})

t.test('same rules as REST: 401 without credentials, 404 for a foreign or unknown event', async (t) => {
  const anonymous = await openSse(url('live-1'))
  t.equal(anonymous.status, 401)
  t.match(anonymous.headers.get('content-type'), /application\/problem\+json/)
  t.equal((await openSse(url('live-2'), owner)).status, 404)
  t.equal((await openSse(url('nope'), owner)).status, 404)
})

t.test('an owner may hold STREAM_MAX_PER_OWNER streams; the next is a problem+json 429', async (t) => {
  const token = bearer(await h.token('other-owner'))
  const streams = [await openSse(url('live-2'), token), await openSse(url('live-2'), token)]
  t.teardown(() => streams.forEach((stream) => stream.close()))
  const third = await openSse(url('live-2'), token)
  t.equal(third.status, 429)
  t.match(JSON.parse(third.text), { status: 429, detail: /at most 2 live streams/ })
  streams[0]!.close()
  await streams[0]!.ended
  for (let attempt = 0; ; attempt += 1) {
    const next = await openSse(url('live-2'), token)
    if (next.status === 200 || attempt > 20) {
      t.equal(next.status, 200, 'a closed stream frees its slot')
      next.close()
      break
    }
    await sleep(50)
  }
})

t.test('browsers: a token or a one-time login code buys an HttpOnly cookie the stream accepts', async (t) => {
  const exchanged = await fetch(`${base}/auth/session`, { method: 'POST', headers: owner })
  t.equal(exchanged.status, 204)
  const cookie = exchanged.headers.get('set-cookie') ?? ''
  t.match(cookie, /^ea_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/)
  const session = { cookie: cookie.split(';')[0]! }
  const stream = await openSse(url('live-1'), session)
  t.teardown(() => stream.close())
  t.equal(stream.status, 200)
  t.equal(((await (await fetch(`${base}/auth/me`, { headers: session })).json()) as { sub: string }).sub, 'live-owner')
  t.equal((await openSse(url('live-1'), { cookie: 'ea_session=forged.token.value' })).status, 401)
  const apiTokenAsCookie = { cookie: `ea_session=${await h.token('live-owner')}` }
  t.equal((await openSse(url('live-1'), apiTokenAsCookie)).status, 401, 'an API token is not a session')

  const code = await signLoginCode(SECRET, 'live-owner')
  const login = await fetch(`${base}/auth/login?code=${code}`, { redirect: 'manual' })
  t.equal(login.status, 303)
  t.equal(login.headers.get('location'), '/#/owner/live-owner')
  t.match(login.headers.get('set-cookie'), /^ea_session=/)
  const reused = await fetch(`${base}/auth/login?code=${code}`, { redirect: 'manual' })
  t.equal(reused.status, 401, 'a login code works once')
})

t.test('closing the app ends open streams', async (t) => {
  const other = await createHarness(t, env)
  const otherBase = await serve(other)
  await seed(other, 'live-close', 'closer')
  const stream = await openSse(`${otherBase}/api/v1/events/live-close/analytics/stream`, bearer(await other.token('closer')))
  await stream.next('dashboard')
  await other.app.close()
  await stream.ended
  t.pass('the stream ended')
  t.same(h.serverErrors, [])
})
