/**
 * The owner's summary sums counters over all their events and channels: past 2^53 (each counter
 * may reach it) the sums stay exact, digit for digit in the JSON, on a miss and on a cache hit.
 * They are read as text, not through the pool's int8 parser, which throws past 2^53 (a 500).
 */
import t from 'tap'
import { readUserChannelTypeTotals, readUserTotals } from '@event-analytics/db'
import { bearer, createHarness, storeFigures } from './helpers.js'

const h = await createHarness(t)
const { db } = h.testDb
const MAX = Number.MAX_SAFE_INTEGER
const max = BigInt(MAX)
const OWNER = 'owner-sums'
const createdAt = new Date('2026-03-01T00:00:00Z')
await db
  .insertInto('event_stats')
  .values(
    ['sums-1', 'sums-2'].map((eventId) => ({
      event_id: eventId,
      user_id: OWNER,
      title: eventId,
      event_created_at: createdAt,
      total_participants: MAX,
    })),
  )
  .execute()
await db
  .insertInto('channel_stats')
  .values(
    ['sums-1', 'sums-2'].map((eventId) => ({
      event_id: eventId,
      channel_name: 'GENIE_TV',
      channel_type: 'TV' as const,
      participants: MAX,
      views: MAX,
      impressions: MAX,
      clicks: MAX,
      conversions: MAX,
      likes: MAX,
      comments: MAX,
      shares: MAX,
    })),
  )
  .execute()
await storeFigures(db, ['sums-1', 'sums-2'])

t.test('the read queries return exact bigints', async (t) => {
  const totals = await readUserTotals(db, OWNER)
  t.equal(totals.total_participants, 2n * max)
  t.equal(totals.total_views, 2n * max)
  const [tv] = await readUserChannelTypeTotals(db, OWNER)
  t.equal(tv?.participants, 2n * max)
  t.equal(tv?.engagement, 6n * max, 'likes + comments + shares over both channels')
})

t.test('the summary carries the exact sums as JSON integers, on a miss and on a hit', async (t) => {
  const owner = bearer(await h.token(OWNER))
  for (const expected of ['miss', 'hit']) {
    const response = await h.app.inject({ url: `/api/v1/users/${OWNER}/analytics`, headers: owner })
    t.equal(response.statusCode, 200, response.body)
    t.equal(response.headers['x-cache'], expected)
    t.match(response.headers['content-type'], /^application\/json/)
    const twice = (2n * max).toString()
    t.match(response.body, `"totalParticipants":${twice},"totalViews":${twice},`, 'totals')
    t.match(response.body, `"participants":${twice},"views":${twice},"impressions":${twice},`, 'per channel type')
    t.match(response.body, `"engagement":${(6n * max).toString()},`, 'engagement')
    t.match(response.body, `"totalParticipants":${MAX},`, 'each event its own count')
  }
  t.same(h.serverErrors, [])
})
