/**
 * Backwards and rule-breaking snapshots (forced through the simulator's override knob) change
 * nothing in PostgreSQL, are logged with their reason (pino output captured) and counted.
 */
import t from 'tap'
import { metricSum } from '@event-analytics/ops/testing'
import type { Database } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import { createHarness, seedEvent } from './helpers/channel-metrics.js'

const MINUTE = 60_000

async function snapshotRows(db: Kysely<Database>, eventId: string) {
  return {
    event: await db.selectFrom('event_stats').selectAll().where('event_id', '=', eventId).execute(),
    channels: await db.selectFrom('channel_stats').selectAll().where('event_id', '=', eventId).orderBy('channel_name').execute(),
    timeline: await db.selectFrom('timeline_data').selectAll().where('event_id', '=', eventId).orderBy('timestamp').execute(),
  }
}

t.test('rejected snapshots change nothing, are logged with the reason and counted', async (t) => {
  const start = Date.now() - 60 * MINUTE
  const h = await createHarness(t, {}, start)
  const refresher = h.aggregator.channelMetrics
  if (refresher === null) throw new Error('channel metrics must be enabled')
  const eventId = `reject-${h.run}`
  await seedEvent(h, eventId, start - 60 * MINUTE)
  t.match(await refresher.runRefreshOnce(), { TV: { applied: 1 } })
  const before = await snapshotRows(h.testDb.db, eventId)

  const cases: Array<[string, Record<string, unknown> | null, number]> = [
    ['completed-over-total', { completedCalls: 1_000_000, totalCalls: 1 }, 1],
    ['negative', { views: -5 }, 2],
    ['not-integer', { clicks: 2.5 }, 3],
    ['missing-field', { likes: null }, 4],
    ['bad-as-of', { asOf: 'not a date' }, 5],
    ['future-as-of', { asOf: new Date(Date.now() + 2 * 24 * 60 * MINUTE).toISOString() }, 6],
    ['backwards', { views: 0 }, 7],
    // No override, but the provider's clock went back: older asOf and smaller counters.
    ['not-newer', null, -5],
  ]
  for (const [reason, override, minutes] of cases) {
    h.sim.setKnobs({ provider: 'tv', override })
    h.clock.now = start + minutes * MINUTE
    const summary = await refresher.runRefreshOnce()
    t.match(summary.TV, { applied: 0, rejected: 1 }, `${reason}: rejected`)
    const line = h.logs.find(
      (entry) => entry['msg'] === 'channel metrics snapshot rejected' && entry['reason'] === reason && entry['provider'] === 'TV',
    )
    t.match(line, { provider: 'TV', eventId, channelName: 'GENIE_TV', reason, level: 40 }, `${reason}: logged`)
    const tv = (await snapshotRows(h.testDb.db, eventId)).channels.find((row) => row.channel_name === 'GENIE_TV')
    t.same(
      tv,
      before.channels.find((row) => row.channel_name === 'GENIE_TV'),
      `${reason}: TV row unchanged`,
    )
  }
  const text = await h.aggregator.metrics.registry.metrics()
  for (const [reason] of cases) {
    t.equal(metricSum(text, 'aggregator_channel_metrics_rejected_total', { provider: 'TV', reason }), 1, `${reason} counted`)
  }
  const after = await snapshotRows(h.testDb.db, eventId)
  t.same(
    after.channels.find((row) => row.channel_name === 'GENIE_TV'),
    before.channels.find((row) => row.channel_name === 'GENIE_TV'),
  )
  t.same(after.timeline.map((row) => row.timestamp.getTime()).length > 0, true)
  // Only TV was broken: the timeline views equal the sum of accepted increases, i.e. the channel views.
  const sum = (rows: ReadonlyArray<{ views: number }>) => rows.reduce((total, row) => total + row.views, 0)
  t.equal(sum(after.timeline), sum(after.channels), 'timeline views = channel views: nothing rejected leaked in')
  t.equal(after.event[0]?.total_views, sum(after.channels))

  h.sim.setKnobs({ provider: 'tv', override: null })
  h.clock.now = start + 30 * MINUTE
  t.match(await refresher.runRefreshOnce(), { TV: { applied: 1, rejected: 0 } }, 'a good snapshot is accepted again')
})
