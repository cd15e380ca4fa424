/**
 * A figure's definition changes (here: estimated revenue stops growing past the expected
 * participants) and the projections are rebuilt from the log instead of patched by a migration:
 * the rebuilt set has the new figures, and the comparison names exactly the events whose figures
 * the new definition changes (the over-subscribed ones), with nothing else.
 */
import t from 'tap'
import { sql } from 'kysely'
import type { DomainEvent } from '@event-analytics/contracts'
import { closeDb, compareProjectionSets, countClaimedMessages, createDb } from '@event-analytics/db'
import { createLogger } from '@event-analytics/ops'
import { deterministicUuid, scenarioEvents } from '@event-analytics/simulator'
import { startRebuild } from '../src/run.js'
import { foldsDone, startLive } from './helpers/live.js'

const HOUR_MS = 3_600_000
const SET = 'rb_capped'

const live = await startLive(t)
const { db } = live.testDb
const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 24 * HOUR_MS
await live.produce([
  ...scenarioEvents({ seed: 5, start, idPrefix: live.run, owners: 2, eventsPerOwner: 2, participants: 400, spanHours: 24 }),
])
await live.caughtUp()

interface EventRow {
  event_id: string
  expected_participants: number | null
  total_participants: number
  expected_revenue: string
}
const readEvents = async (): Promise<EventRow[]> =>
  (
    await sql<EventRow>`
      SELECT event_id, expected_participants, total_participants, expected_revenue::text FROM event_stats
      WHERE event_created_at IS NOT NULL ORDER BY event_id`.execute(db)
  ).rows

// One event over-subscribed on purpose, through the log: 3 participants past what it expected.
const [target] = (await readEvents()).filter((row) => (row.expected_participants ?? 0) > row.total_participants)
if (target === undefined) throw new Error('the scenario has no event below its expected participants')
const extra = (target.expected_participants as number) - target.total_participants + 3
// Kafka stamps messages when they are produced: everything from here on is after `betweenTheTwo`.
const betweenTheTwo = new Date()
const now = Date.now()
await live.produce(
  Array.from({ length: extra }, (_, index): DomainEvent => ({
    kind: 'ParticipantRegistered',
    messageId: deterministicUuid(`${live.run}-extra`, index),
    occurredAt: now - index * 1000,
    eventId: target.event_id,
    participantId: `${live.run}-extra-${index}`,
    channelName: null,
  })),
)
await live.caughtUp()

// The new definition (what a release's migration would install), without recomputing stored rows.
await sql`
  CREATE OR REPLACE FUNCTION figures_estimated_revenue(expected_revenue numeric, total_participants numeric,
      expected_participants numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN figures_from_hundredths(CASE WHEN coalesce(expected_participants, 0) > 0
      THEN figures_div_half_up(figures_to_hundredths(expected_revenue) * LEAST(total_participants, expected_participants), expected_participants)
      ELSE figures_to_hundredths(expected_revenue) END)`.execute(db)

t.test('the rebuilt set has the new figures; the comparison names exactly the events they change', async (t) => {
  const overSubscribed = (await readEvents())
    .filter(
      (row) => row.expected_participants !== null && row.expected_participants > 0 && row.total_participants > row.expected_participants,
    )
    .map((row) => row.event_id)
  t.ok(overSubscribed.includes(target.event_id), 'the event made over-subscribed is')
  const rebuild = await startRebuild({ set: SET, env: live.env, opsPort: null, logger: createLogger('rebuild', 'silent') })
  t.teardown(() => rebuild.close())
  await rebuild.caughtUp
  await foldsDone(live, SET)
  const report = await compareProjectionSets(db, 'public', SET)
  t.same(
    report.differences.map((difference) => difference.eventId),
    overSubscribed,
    'exactly the over-subscribed events differ',
  )
  for (const difference of report.differences) {
    t.same(
      difference.fields.map((field) => field.field),
      ['estimatedRevenue', 'roi'],
      `${difference.eventId}: only the figures the definition changed`,
    )
  }
  const { rows } = await sql<{ estimated_revenue: string; expected_revenue: string }>`
    SELECT estimated_revenue::text, expected_revenue::text FROM ${sql.id(SET, 'event_stats')} WHERE event_id = ${target.event_id}`.execute(
    db,
  )
  t.equal(rows[0]?.estimated_revenue, rows[0]?.expected_revenue, 'rebuilt: revenue capped at the expected revenue')
})

t.test('--from: a rebuild from a given time reads only the messages produced since', async (t) => {
  const rebuild = await startRebuild({
    set: 'rb_from',
    from: betweenTheTwo,
    env: live.env,
    opsPort: null,
    logger: createLogger('rebuild', 'silent'),
  })
  t.teardown(() => rebuild.close())
  await rebuild.caughtUp
  const setDb = createDb(live.testDb.url, { poolSize: 1, projectionSet: 'rb_from' })
  t.teardown(() => closeDb(setDb))
  t.equal(await countClaimedMessages(setDb), extra, 'exactly the registrations produced after that time')
  t.ok(rebuild.initial.done > 0, 'what came before counts as behind the start, not as lag')
})
