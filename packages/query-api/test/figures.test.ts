import t from 'tap'
import { costPer, estimatedRevenue, estimatedRoi, money, percentOf, render, roiAchievementRate } from '../src/projections/figures.js'
import { channelBody, sortChannels } from '../src/projections/channel.js'
import type { ChannelStatsRow } from '@event-analytics/db'

t.test('estimated revenue scales expected revenue by participants, half-up', async (t) => {
  t.equal(render(estimatedRevenue(money('3000.00'), 30, 100)), '900.00')
  t.equal(render(estimatedRevenue(money('100.00'), 1, 3)), '33.33')
  t.equal(render(estimatedRevenue(money('100.00'), 2, 3)), '66.67', 'half-up on the cent')
  t.equal(render(estimatedRevenue(money('0.01'), 1, 2)), '0.01', '0.005 rounds up')
  t.equal(render(estimatedRevenue(money('1500.00'), 99, 0)), '1500.00', 'expectedParticipants 0: expected revenue')
  t.equal(render(estimatedRevenue(money('1500.00'), 99, null)), '1500.00', 'expectedParticipants null: expected revenue')
  t.equal(render(estimatedRevenue(money('9999999999999.99'), 1_000_000, 1)), '9999999999999990000.00', 'no float overflow')
})

t.test('estimated ROI is signed, 0 without investment', async (t) => {
  t.equal(render(estimatedRoi(money('900.00'), money('1500.00'))), '-40.00')
  t.equal(render(estimatedRoi(money('3000.00'), money('1500.00'))), '100.00')
  t.equal(render(estimatedRoi(money('1000.00'), money('3.00'))), '33233.33')
  t.equal(render(estimatedRoi(money('2.00'), money('3.00'))), '-33.33', 'negative rounds half away from zero')
  t.equal(render(estimatedRoi(money('500.00'), 0n)), '0.00')
})

t.test('achievement rate is null for a zero target', async (t) => {
  t.equal(render(roiAchievementRate(money('-40.00'), money('50.00'))!), '-80.00')
  t.equal(render(roiAchievementRate(money('10.00'), money('30.00'))!), '33.33')
  t.equal(roiAchievementRate(money('10.00'), 0n), null)
})

t.test('rates and unit costs give null for a zero denominator', async (t) => {
  t.equal(render(percentOf(1, 3)!), '33.33')
  t.equal(render(percentOf(2, 3)!), '66.67')
  t.equal(render(percentOf(1, 8)!), '12.50')
  t.equal(render(percentOf(1, 200_000)!), '0.00')
  t.equal(render(percentOf(1, 400)!), '0.25')
  t.equal(percentOf(5, 0), null)
  t.equal(render(costPer(money('100.00'), 3)!), '33.33')
  t.equal(costPer(money('100.00'), 0), null)
})

const baseChannel: ChannelStatsRow = {
  id: 1,
  event_id: 'e',
  channel_name: 'A',
  channel_type: 'SNS',
  participants: 0,
  distribution_count: 0,
  distribution_cost: '0.00',
  impressions: 0,
  views: 0,
  clicks: 0,
  conversions: 0,
  likes: 0,
  comments: 0,
  shares: 0,
  total_calls: 0,
  completed_calls: 0,
  average_duration_sec: '0.00',
  metrics_as_of: null,
  last_occurred_at: null,
  created_at: new Date(0),
  updated_at: new Date(0),
}

t.test('channel body derives every rate', async (t) => {
  const now = new Date('2026-01-01T00:00:00Z')
  const body = channelBody(
    {
      ...baseChannel,
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
      metrics_as_of: new Date('2025-12-31T23:00:00Z'),
    },
    now,
    15 * 60_000,
  )
  t.equal(body.ctr, '4.50')
  t.equal(body.participationRate, '2.33')
  t.equal(body.conversionRate, '20.00')
  t.equal(body.costPerParticipant, '14.29')
  t.equal(body.engagement, 15)
  t.equal(body.callCompletionRate, '37.50')
  t.equal(body.stale, true, 'last snapshot an hour old')
  const empty = channelBody(baseChannel, now, 15 * 60_000)
  t.same(
    [empty.ctr, empty.participationRate, empty.conversionRate, empty.costPerParticipant, empty.callCompletionRate],
    [null, null, null, null, null],
  )
  t.equal(empty.stale, false, 'never refreshed is not stale')
})

t.test('sorting puts nulls last and breaks ties by name', async (t) => {
  const now = new Date(0)
  const rows = [
    { ...baseChannel, channel_name: 'B', clicks: 1, impressions: 10 },
    { ...baseChannel, channel_name: 'A', clicks: 1, impressions: 10 },
    { ...baseChannel, channel_name: 'C' },
    { ...baseChannel, channel_name: 'D', clicks: 9, impressions: 10 },
  ].map((row) => channelBody(row, now, 1000))
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
