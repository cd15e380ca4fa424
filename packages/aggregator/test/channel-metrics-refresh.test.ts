/**
 * Refreshes against the simulated providers, real PostgreSQL and Redis: counters overwritten,
 * increases in the snapshot's hourly bucket, total_views, cumulative participants untouched,
 * inactive events ignored, cache invalidated; the job scheduler is registered and runs.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { cacheKeys } from '@event-analytics/contracts'
import { metricsAt } from '@event-analytics/provider-sim'
import { Redis } from 'ioredis'
import { commitMessages, CHANNEL_METRICS_SCHEDULER_ID } from '../src/index.js'
import { createHarness, ended, participant, seedEvent } from './helpers/channel-metrics.js'
import { REDIS_URL } from './helpers/queue.js'

const HOUR = 3_600_000

t.test('several refreshes: counters, hourly increases, total_views', async (t) => {
  const hour1 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR
  const h = await createHarness(t, {}, hour1 + 10 * 60_000)
  const { db } = h.testDb
  const live = `live-${h.run}`
  const done = `ended-${h.run}`
  const hidden = `hidden-${h.run}`
  await seedEvent(h, live, hour1 - HOUR)
  await seedEvent(h, done, hour1 - HOUR)
  await commitMessages(db, [
    participant(live, hour1 - HOUR + 60_000, 'GENIE_TV'),
    participant(live, hour1 - HOUR + 120_000, 'INSTAGRAM'),
    ended(done, hour1 - HOUR + 1000),
    // Channels of an event without EventCreated are not visible, hence not refreshed.
    {
      kind: 'DistributionCompleted',
      messageId: `hidden-${h.run}`,
      eventId: hidden,
      occurredAt: hour1,
      channels: [{ channelName: 'GENIE_TV', channelType: 'TV', distributionCost: '1.00' }],
    },
  ])
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  t.teardown(() => redis.quit())
  const dashboard = cacheKeys.dashboard(live)
  const channelKey = cacheKeys.channel(live, 'INSTAGRAM')
  await redis.mset(dashboard, 'old', channelKey, 'old')
  t.teardown(() => redis.del(dashboard, channelKey))

  const refresher = h.aggregator.channelMetrics
  if (refresher === null) throw new Error('channel metrics must be enabled')
  const instants = [hour1 + 10 * 60_000, hour1 + 40 * 60_000, hour1 + HOUR + 5 * 60_000, hour1 + 3 * HOUR + 1000]
  const summaries = []
  for (const instant of instants) {
    h.clock.now = instant
    summaries.push(await refresher.runRefreshOnce())
  }
  for (const summary of summaries) {
    t.same(
      summary,
      {
        TV: { applied: 1, rejected: 0, failed: 0, skipped: 0 },
        SNS: { applied: 1, rejected: 0, failed: 0, skipped: 0 },
        VOICE: { applied: 1, rejected: 0, failed: 0, skipped: 0 },
      },
      'only the ACTIVE visible event is refreshed',
    )
  }

  const last = instants[instants.length - 1]!
  const channels = await db.selectFrom('channel_stats').selectAll().where('event_id', '=', live).orderBy('channel_name').execute()
  for (const row of channels) {
    const expected = metricsAt(live, row.channel_name, last)
    t.match(
      row,
      {
        impressions: expected.impressions,
        views: expected.views,
        clicks: expected.clicks,
        conversions: expected.conversions,
        likes: expected.likes,
        comments: expected.comments,
        shares: expected.shares,
        total_calls: expected.totalCalls,
        completed_calls: expected.completedCalls,
        average_duration_sec: expected.averageDurationSec.toFixed(2),
      },
      `${row.channel_name} counters = last snapshot`,
    )
    t.same(row.metrics_as_of, new Date(last))
    t.same(row.last_occurred_at, new Date(last), "the snapshot moved the channel's asOf")
  }
  const event = await db.selectFrom('event_stats').selectAll().where('event_id', '=', live).executeTakeFirstOrThrow()
  t.same(event.last_occurred_at, new Date(last), "and the event's")
  t.equal(
    event.total_views,
    channels.reduce((sum, row) => sum + row.views, 0),
    'total_views = sum of channel views',
  )
  t.equal(event.total_participants, 2, 'participants untouched')

  // Expected buckets: the first snapshot counts whole in its hour, then each increase in its own hour.
  const names = channels.map((row) => row.channel_name)
  const sumAt = (at: number | null, pick: (m: ReturnType<typeof metricsAt>) => number): number =>
    at === null ? 0 : names.reduce((sum, name) => sum + pick(metricsAt(live, name, at)), 0)
  const expectedBuckets = new Map<number, { views: number; engagement: number; conversions: number }>()
  instants.forEach((instant, index) => {
    const previous = index === 0 ? null : instants[index - 1]!
    const bucket = Math.floor(instant / HOUR) * HOUR
    const entry = expectedBuckets.get(bucket) ?? { views: 0, engagement: 0, conversions: 0 }
    entry.views += sumAt(instant, (m) => m.views) - sumAt(previous, (m) => m.views)
    entry.engagement += sumAt(instant, (m) => m.likes + m.comments + m.shares) - sumAt(previous, (m) => m.likes + m.comments + m.shares)
    entry.conversions += sumAt(instant, (m) => m.conversions) - sumAt(previous, (m) => m.conversions)
    expectedBuckets.set(bucket, entry)
  })
  const timeline = await db.selectFrom('timeline_data').selectAll().where('event_id', '=', live).orderBy('timestamp').execute()
  t.same(
    timeline.map((row) => ({
      at: row.timestamp.getTime(),
      views: row.views,
      engagement: row.engagement,
      conversions: row.conversions,
      participants: row.participants,
      cumulative: row.cumulative_participants,
    })),
    [
      { at: hour1 - HOUR, views: 0, engagement: 0, conversions: 0, participants: 2, cumulative: 2 },
      ...[...expectedBuckets].map(([at, entry]) => ({ at, ...entry, participants: 0, cumulative: 2 })),
    ],
    'hourly increases; new buckets carry the running participant count',
  )
  t.ok((expectedBuckets.get(hour1 + HOUR)?.views ?? 0) > 0, 'the hour after grew')

  const untouched = await db
    .selectFrom('channel_stats')
    .select(['event_id', 'metrics_as_of'])
    .where('event_id', 'in', [done, hidden])
    .execute()
  t.same(
    untouched.map((row) => row.metrics_as_of),
    [null, null, null, null],
    'ENDED and invisible events are not refreshed',
  )
  t.equal(await redis.exists(dashboard, channelKey), 0, 'cache entries of refreshed channels deleted')

  const text = await h.aggregator.metrics.registry.metrics()
  t.match(text, /aggregator_channel_metrics_applied_total\{provider="TV"\} 4/)
  t.match(text, /aggregator_channel_metrics_breaker_state\{provider="SNS"\} 0/)
  t.match(text, /aggregator_channel_metrics_refresh_seconds_count\{provider="VOICE"\} 4/)

  // A batch after the snapshots (a participant, and a distribution opening a channel without views)
  // changes the figures it can change and leaves total_views as the snapshots stored it.
  await commitMessages(db, [
    participant(live, last + 1000, 'INSTAGRAM'),
    {
      kind: 'DistributionCompleted',
      messageId: `later-${h.run}`,
      eventId: live,
      occurredAt: last + 2000,
      channels: [{ channelName: 'KAKAO', channelType: 'SNS', distributionCost: '10.00' }],
    },
  ])
  const after = await db.selectFrom('event_stats').selectAll().where('event_id', '=', live).executeTakeFirstOrThrow()
  const viewsAfter = await db
    .selectFrom('channel_stats')
    .select(db.fn.sum<string>('views').as('views'))
    .where('event_id', '=', live)
    .executeTakeFirstOrThrow()
  t.equal(after.total_participants, 3, 'the batch counted')
  t.not(after.total_investment, event.total_investment, 'and its distribution cost reached total_investment')
  t.equal(after.total_views, event.total_views, 'total_views kept')
  t.equal(String(after.total_views), String(viewsAfter.views), 'still the sum of channel views')
})

t.test('the refresh is a registered BullMQ job scheduler and runs on its own', async (t) => {
  const h = await createHarness(t, { refreshMs: 1000 })
  const eventId = `sched-${h.run}`
  await seedEvent(h, eventId, Date.now() - HOUR)
  const refresher = h.aggregator.channelMetrics
  if (refresher === null) throw new Error('channel metrics must be enabled')
  const schedulers = await refresher.queue.getJobSchedulers()
  t.match(schedulers, [{ key: CHANNEL_METRICS_SCHEDULER_ID, every: 1000 }], 'one scheduler, every refreshMs')
  // No timing assert: poll until the scheduled job has refreshed the channels (tap's timeout bounds it).
  for (;;) {
    const rows = await h.testDb.db.selectFrom('channel_stats').select('metrics_as_of').where('event_id', '=', eventId).execute()
    if (rows.length === 3 && rows.every((row) => row.metrics_as_of !== null)) break
    await sleep(100)
  }
  t.pass('the scheduled job refreshed every channel')
})
