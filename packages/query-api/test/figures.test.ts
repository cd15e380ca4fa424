/**
 * The channel projection shapes the figures PostgreSQL computes (docs/SPEC.md section 6 has one
 * implementation: packages/db migration 0006, tested there against a reference), and sorts by
 * them. Rows come from the real read query, so the rates here are the ones the API serves.
 */
import t from 'tap'
import { readEventChannels } from '@event-analytics/db'
import type { NewChannelStats } from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import { channelBody, sortChannels } from '../src/projections/channel.js'

const { db } = await createTestDatabase(t)
let events = 0

/** Stores the channels of a new event and reads them back as the API does. */
async function channels(rows: readonly Omit<NewChannelStats, 'event_id'>[]) {
  events += 1
  const eventId = `e${events}`
  await db.insertInto('event_stats').values({ event_id: eventId }).execute()
  await db
    .insertInto('channel_stats')
    .values(rows.map((row) => ({ ...row, event_id: eventId })))
    .execute()
  return readEventChannels(db, eventId)
}

t.test('channel body carries every rate', async (t) => {
  const now = new Date('2026-01-01T00:00:00Z')
  const [row, empty] = await channels([
    {
      channel_name: 'A',
      channel_type: 'SNS',
      participants: 7,
      distribution_cost: '100.00',
      impressions: 1000,
      views: 300,
      clicks: 45,
      conversions: 9,
      likes: 10,
      comments: 4,
      shares: 1,
      total_calls: 8,
      completed_calls: 3,
      average_duration_sec: '41.50',
      metrics_as_of: new Date('2025-12-31T23:00:00Z'),
    },
    { channel_name: 'B', channel_type: 'SNS' },
  ])
  const body = channelBody(row!, now, 15 * 60_000)
  t.equal(body.ctr, '4.50')
  t.equal(body.participationRate, '2.33')
  t.equal(body.conversionRate, '20.00')
  t.equal(body.costPerParticipant, '14.29')
  t.equal(body.engagement, 15)
  t.equal(body.callCompletionRate, '37.50')
  t.equal(body.distributionCost, '100.00')
  t.equal(body.averageDurationSec, '41.50')
  t.equal(body.stale, true, 'last snapshot an hour old')
  const zero = channelBody(empty!, now, 15 * 60_000)
  t.same(
    [zero.ctr, zero.participationRate, zero.conversionRate, zero.costPerParticipant, zero.callCompletionRate],
    [null, null, null, null, null],
  )
  t.same([zero.engagement, zero.distributionCost, zero.averageDurationSec], [0, '0.00', '0.00'])
  t.equal(zero.stale, false, 'never refreshed is not stale')
})

t.test('sorting puts nulls last and breaks ties by name', async (t) => {
  const now = new Date(0)
  const rows = (
    await channels([
      { channel_name: 'B', clicks: 1, impressions: 10 },
      { channel_name: 'A', clicks: 1, impressions: 10 },
      { channel_name: 'C' },
      { channel_name: 'D', clicks: 9, impressions: 10 },
    ])
  ).map((row) => channelBody(row, now, 1000))
  t.same(
    sortChannels(rows, 'ctr', 'desc').map((c) => c.channelName),
    ['D', 'A', 'B', 'C'],
  )
  t.same(
    sortChannels(rows, 'ctr', 'asc').map((c) => c.channelName),
    ['A', 'B', 'D', 'C'],
  )
  t.same(
    sortChannels(rows, 'channelName', 'desc').map((c) => c.channelName),
    ['D', 'C', 'B', 'A'],
  )
})
