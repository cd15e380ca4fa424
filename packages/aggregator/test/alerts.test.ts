/**
 * Alert evaluation on a real PostgreSQL: the rules open and resolve alerts from committed
 * batches, each transition is written once with its outbox row, a replayed batch and a second
 * evaluation write nothing, and two evaluators racing on the same data open one alert.
 */
import t from 'tap'
import type { DomainEvent } from '@event-analytics/contracts'
import {
  createDb,
  closeDb,
  createProjectionSet,
  openAlert,
  switchLiveSet,
  writeAlertSettings,
  DEFAULT_ALERT_THRESHOLDS,
} from '@event-analytics/db'
import type { AlertTransitionRow, Database } from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { commitMessages } from '../src/apply.js'
import { evaluateAlerts } from '../src/alerts/evaluate.js'

const HOUR_MS = 3_600_000
const NOW = new Date()
let sequence = 0
const nextId = (): string => `m${(sequence += 1)}`

function created(eventId: string, userId = 'owner-1'): DomainEvent {
  return {
    kind: 'EventCreated',
    messageId: nextId(),
    eventId,
    occurredAt: NOW.getTime() - 24 * HOUR_MS,
    userId,
    title: 'Spring fair',
    totalInvestment: '1000.00',
    expectedRevenue: '5000.00',
    expectedParticipants: 100,
    targetRoi: '50.00',
    salesGrowthRate: null,
  }
}

function distribution(eventId: string, channels: readonly [string, string][]): DomainEvent {
  return {
    kind: 'DistributionCompleted',
    messageId: nextId(),
    eventId,
    occurredAt: NOW.getTime() - 20 * HOUR_MS,
    channels: channels.map(([channelName, distributionCost]) => ({ channelName, channelType: 'SNS', distributionCost })),
  }
}

function participant(eventId: string, channelName: string, hoursAgo: number): DomainEvent {
  return {
    kind: 'ParticipantRegistered',
    messageId: nextId(),
    eventId,
    occurredAt: NOW.getTime() - hoursAgo * HOUR_MS,
    participantId: nextId(),
    channelName,
  }
}

function status(eventId: string, value: 'ACTIVE' | 'ENDED'): DomainEvent {
  return { kind: 'EventStatusChanged', messageId: nextId(), eventId, occurredAt: NOW.getTime() - HOUR_MS / 2, status: value }
}

async function transitions(db: Kysely<Database>, eventId: string): Promise<AlertTransitionRow[]> {
  return db.selectFrom('alert_transitions').selectAll().where('event_id', '=', eventId).orderBy('id').execute()
}

async function openAlerts(db: Kysely<Database>, eventId: string) {
  return db.selectFrom('alerts').selectAll().where('event_id', '=', eventId).where('state', '=', 'open').orderBy('rule').execute()
}

/** An event whose KAKAO channel brought participants an hour ago and whose NAVER channel went quiet 10 hours ago. */
async function silentNaver(db: Kysely<Database>, eventId: string): Promise<DomainEvent[]> {
  const batch = [
    created(eventId),
    distribution(eventId, [
      ['KAKAO', '100.00'],
      ['NAVER', '100.00'],
    ]),
    participant(eventId, 'KAKAO', 1),
    participant(eventId, 'NAVER', 10),
  ]
  await commitMessages(db, batch)
  return batch
}

t.test('a silent channel opens one alert; replays and re-evaluations write nothing; a participant resolves it', async (t) => {
  const { db } = await createTestDatabase(t)
  const batch = await silentNaver(db, 'ev-silent')
  const opened = await evaluateAlerts(db, ['ev-silent'], NOW)
  t.same(
    opened.map((row) => [row.rule, row.channel_name, row.state]),
    [['channel_silent', 'NAVER', 'open']],
  )
  t.equal(opened[0]?.details['silentHours'], 6)

  await commitMessages(db, batch)
  t.same(await evaluateAlerts(db, ['ev-silent'], NOW), [], 'the replayed batch changes nothing')
  t.same(await evaluateAlerts(db, ['ev-silent'], NOW), [], 'nor does evaluating again')
  t.equal((await transitions(db, 'ev-silent')).length, 1, 'one transition in the outbox')

  await commitMessages(db, [participant('ev-silent', 'NAVER', 0)])
  const resolved = await evaluateAlerts(db, ['ev-silent'], NOW)
  t.same(
    resolved.map((row) => [row.rule, row.channel_name, row.state]),
    [['channel_silent', 'NAVER', 'resolved']],
  )
  const log = await transitions(db, 'ev-silent')
  t.same(
    log.map((row) => [row.alert_id, row.user_id, row.state]),
    [
      [opened[0]?.alert_id, 'owner-1', 'open'],
      [opened[0]?.alert_id, 'owner-1', 'resolved'],
    ],
  )
  const alert = await db.selectFrom('alerts').selectAll().where('event_id', '=', 'ev-silent').executeTakeFirstOrThrow()
  t.equal(alert.state, 'resolved')
  t.ok(alert.resolved_at instanceof Date)
})

t.test('silence is not alerted when the whole event is quiet, nor once the event ended', async (t) => {
  const { db } = await createTestDatabase(t)
  await commitMessages(db, [
    created('ev-quiet'),
    distribution('ev-quiet', [
      ['KAKAO', '1.00'],
      ['NAVER', '1.00'],
    ]),
    participant('ev-quiet', 'KAKAO', 9),
    participant('ev-quiet', 'NAVER', 10),
  ])
  t.same(await evaluateAlerts(db, ['ev-quiet'], NOW), [], 'no channel brought anyone in the window')

  await silentNaver(db, 'ev-ends')
  t.equal((await evaluateAlerts(db, ['ev-ends'], NOW)).length, 1)
  await commitMessages(db, [status('ev-ends', 'ENDED')])
  t.same(
    (await evaluateAlerts(db, ['ev-ends'], NOW)).map((row) => row.state),
    ['resolved'],
    'an ENDED event has no silent channel',
  )
})

t.test('a distributed channel that never had a participant is silent since it appeared', async (t) => {
  const { db } = await createTestDatabase(t)
  await commitMessages(db, [
    created('ev-never'),
    distribution('ev-never', [
      ['KAKAO', '1.00'],
      ['NAVER', '1.00'],
    ]),
    participant('ev-never', 'KAKAO', 1),
  ])
  const naver = await db
    .selectFrom('channel_stats')
    .select('last_participant_at')
    .where('channel_name', '=', 'NAVER')
    .executeTakeFirstOrThrow()
  t.equal(naver.last_participant_at, null, 'no participant time is invented')
  t.same(await evaluateAlerts(db, ['ev-never'], NOW), [], 'it appeared just now')
  await db
    .updateTable('channel_stats')
    .set({ created_at: new Date(NOW.getTime() - 7 * HOUR_MS) })
    .where('channel_name', '=', 'NAVER')
    .execute()
  const opened = await evaluateAlerts(db, ['ev-never'], NOW)
  t.same(
    opened.map((row) => [row.rule, row.channel_name, row.details['lastParticipantAt']]),
    [['channel_silent', 'NAVER', null]],
  )
})

t.test("a channel's cost per participant above factor x the event's, compared exactly", async (t) => {
  const { db } = await createTestDatabase(t)
  // Event: 1000.00 own + 3000.00 distribution = 4000.00 over 4 participants = 1000.00 each.
  // KAKAO: 2000.00 for 1 participant = exactly 2 x the event's: not above. NAVER: 1000.00 / 3.
  await commitMessages(db, [
    created('ev-cost'),
    distribution('ev-cost', [
      ['KAKAO', '2000.00'],
      ['NAVER', '1000.00'],
    ]),
    participant('ev-cost', 'KAKAO', 1),
    participant('ev-cost', 'NAVER', 1),
    participant('ev-cost', 'NAVER', 1),
    participant('ev-cost', 'NAVER', 1),
  ])
  t.same(await evaluateAlerts(db, ['ev-cost'], NOW), [], 'equal to factor x is not above')
  // One cent more on KAKAO: 2000.01 / 1 > 2 x 4000.01 / 4.
  await commitMessages(db, [distribution('ev-cost', [['KAKAO', '0.01']])])
  const opened = await evaluateAlerts(db, ['ev-cost'], NOW)
  t.same(
    opened.map((row) => [row.rule, row.channel_name, row.details['channelCostPerParticipant'], row.details['eventCostPerParticipant']]),
    [['channel_cost_high', 'KAKAO', '2000.01', '1000.00']],
  )
  await writeAlertSettings(db, 'owner-1', { ...DEFAULT_ALERT_THRESHOLDS, channel_cost_factor: '2.50' })
  t.same(
    (await evaluateAlerts(db, ['ev-cost'], NOW)).map((row) => [row.rule, row.state]),
    [['channel_cost_high', 'resolved']],
    "the owner's higher factor resolves it",
  )
})

t.test('stale provider metrics, and a rule switched off resolves its alerts', async (t) => {
  const { db } = await createTestDatabase(t)
  await commitMessages(db, [created('ev-stale'), distribution('ev-stale', [['KAKAO', '1.00']]), participant('ev-stale', 'KAKAO', 0)])
  await db
    .updateTable('channel_stats')
    .set({ metrics_as_of: new Date(NOW.getTime() - 30 * 60_000) })
    .execute()
  t.same(await evaluateAlerts(db, ['ev-stale'], NOW), [], '30 minutes old is within the default 60')
  await db
    .updateTable('channel_stats')
    .set({ metrics_as_of: new Date(NOW.getTime() - 61 * 60_000) })
    .execute()
  const opened = await evaluateAlerts(db, ['ev-stale'], NOW)
  t.same(
    opened.map((row) => [row.rule, row.channel_name, row.details['channelType']]),
    [['provider_stale', 'KAKAO', 'SNS']],
  )
  await writeAlertSettings(db, 'owner-1', { ...DEFAULT_ALERT_THRESHOLDS, provider_stale_enabled: false })
  t.same(
    (await evaluateAlerts(db, ['ev-stale'], NOW)).map((row) => row.state),
    ['resolved'],
  )
  await writeAlertSettings(db, 'owner-1', DEFAULT_ALERT_THRESHOLDS)
  await db.updateTable('channel_stats').set({ metrics_as_of: NOW }).execute()
  await db
    .insertInto('provider_health')
    .values({ channel_type: 'SNS', state: 'open', changed_at: new Date(NOW.getTime() - 2 * HOUR_MS) })
    .execute()
  t.same(
    (await evaluateAlerts(db, ['ev-stale'], NOW)).map((row) => [row.rule, row.state]),
    [['provider_stale', 'open']],
    'a breaker open for two hours makes the metrics stale too',
  )
})

t.test('behind pace and projected ROI below target open from the pacing, and resolve when it recovers', async (t) => {
  const { db } = await createTestDatabase(t)
  // Scheduled over 20 hours, 200 expected; paced at its asOf (the newest participant, 1 hour ago):
  // 9 of 20 hours elapsed, 90 expected so far. Projected ROI: the recent whole hours brought no one.
  const scheduled: DomainEvent = {
    ...created('ev-pace'),
    expectedParticipants: 200,
    startsAt: NOW.getTime() - 10 * HOUR_MS,
    endsAt: NOW.getTime() + 10 * HOUR_MS,
  } as DomainEvent
  const some = (count: number): DomainEvent[] => Array.from({ length: count }, () => participant('ev-pace', 'KAKAO', 1))
  await commitMessages(db, [scheduled, ...some(10)])
  const opened = await evaluateAlerts(db, ['ev-pace'], NOW)
  t.same(opened.map((row) => [row.rule, row.channel_name, row.state]).sort(), [
    ['pace_low', null, 'open'],
    ['roi_projected_low', null, 'open'],
  ])
  const pace = opened.find((row) => row.rule === 'pace_low')
  t.same(pace?.details, { paceRatio: '0.80', participants: 10, expectedSoFar: 90, pacePercent: '11.11' })
  t.same(
    opened.find((row) => row.rule === 'roi_projected_low')?.details['projectedRoi'],
    '-75.00',
    '10 of 200 expected: revenue 250.00 against 1000.00 invested',
  )
  t.same(await evaluateAlerts(db, ['ev-pace'], NOW), [], 'nothing new on a second look')

  await commitMessages(db, some(70))
  t.same(
    (await evaluateAlerts(db, ['ev-pace'], NOW)).map((row) => [row.rule, row.state]).sort(),
    [
      ['pace_low', 'resolved'],
      ['roi_projected_low', 'resolved'],
    ],
    '80 of 90 is on pace, and 80 of 200 projects 100% ROI',
  )
})

t.test('two evaluators in two pools on the same data: one open alert, one transition', async (t) => {
  const { db, url } = await createTestDatabase(t)
  await silentNaver(db, 'ev-race')
  const other = createDb(url, { poolSize: 2 })
  t.teardown(() => closeDb(other))
  for (let round = 0; round < 5; round += 1) {
    await Promise.all([evaluateAlerts(db, ['ev-race'], NOW), evaluateAlerts(other, ['ev-race'], NOW)])
  }
  t.equal((await openAlerts(db, 'ev-race')).length, 1)
  t.equal((await transitions(db, 'ev-race')).length, 1)
})

t.test('the partial unique index refuses a second open alert even without the lock', async (t) => {
  const { db, url } = await createTestDatabase(t)
  const other = createDb(url, { poolSize: 2 })
  t.teardown(() => closeDb(other))
  const finding = { eventId: 'ev-index', userId: 'owner-1', rule: 'channel_silent', channelName: null, details: {} } as const
  const written = await Promise.all([db, other].map((pool) => pool.transaction().execute((trx) => openAlert(trx, finding, NOW))))
  t.equal(written.filter((row) => row !== undefined).length, 1, 'one of the two opened it')
  const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM alert_transitions`.execute(db)
  t.equal(count.rows[0]?.n, 1)
})

t.test('only the live projection set opens or resolves alerts', async (t) => {
  const testDb = await createTestDatabase(t)
  await createProjectionSet(testDb.db, testDb.url, 'rb_alerts', { monthsBack: 1, monthsAhead: 1 })
  const setDb = createDb(testDb.url, { poolSize: 2, projectionSet: 'rb_alerts' })
  t.teardown(() => closeDb(setDb))
  await silentNaver(setDb, 'ev-set')
  t.same(await evaluateAlerts(setDb, ['ev-set'], NOW), [], 'a rebuild set that is not live writes no transition')
  t.equal((await transitions(testDb.db, 'ev-set')).length, 0)
  await switchLiveSet(testDb.db, 'rb_alerts')
  t.same(
    (await evaluateAlerts(setDb, ['ev-set'], NOW)).map((row) => [row.rule, row.channel_name, row.state]),
    [['channel_silent', 'NAVER', 'open']],
    'once live, its figures open the alert',
  )
  t.same(await evaluateAlerts(testDb.db, ['ev-set'], NOW), [], 'and public, no longer live, resolves nothing')
  t.equal((await openAlerts(testDb.db, 'ev-set')).length, 1)
})
