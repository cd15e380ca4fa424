/**
 * readEventPacing against PostgreSQL: the schedule columns of migration 0010, the recent hourly
 * timeline, and the projected ROI through the SPEC section 6 figures functions, exact.
 */
import t from 'tap'
import { createTestDatabase } from '../src/testing/index.js'
import { ensureTimelinePartitionsFor, readEventPacing, refreshEventFigures } from '../src/index.js'

const { db } = await createTestDatabase(t)
const HOUR_MS = 3_600_000
const startsAt = new Date(Date.UTC(2026, 10, 1, 0))
const asOf = new Date(startsAt.getTime() + 40 * HOUR_MS + 30 * 60_000)

async function storeEvent(eventId: string, schedule: { starts_at: Date | null; ends_at: Date | null }) {
  await db
    .insertInto('event_stats')
    .values({
      event_id: eventId,
      user_id: 'owner',
      title: eventId,
      event_created_at: startsAt,
      own_investment: '1000.00',
      expected_revenue: '5000.00',
      expected_participants: 1000,
      target_roi: '100.00',
      total_participants: 324,
      last_occurred_at: asOf,
      ...schedule,
    })
    .execute()
  await refreshEventFigures(db, [eventId])
  return db.selectFrom('event_stats').selectAll().where('event_id', '=', eventId).executeTakeFirstOrThrow()
}

t.test('a scheduled event: pace, projection and its ROI by the figures functions', async (t) => {
  const hours = Array.from({ length: 30 }, (_, index) => new Date(asOf.getTime() - (index + 1) * HOUR_MS - 30 * 60_000))
  await ensureTimelinePartitionsFor(db, hours)
  // the 24 hours before 40:00: 12 x 8 then 12 x 12; earlier hours and the running hour do not count
  await db
    .insertInto('timeline_data')
    .values(hours.map((hour, index) => ({ event_id: 'paced', timestamp: hour, participants: index >= 24 ? 99 : index < 12 ? 12 : 8 })))
    .execute()
  const row = await storeEvent('paced', { starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 100 * HOUR_MS) })
  const result = await readEventPacing(db, row)
  if (!('pacing' in result)) throw new Error(JSON.stringify(result))
  t.match(result.pacing, { phase: 'RUNNING', expectedSoFar: 405, pacePercent: '80.00', recentRate: { hours: 24, perHour: 10 } })
  t.strictSame(result.pacing.projectedParticipants, { expected: 919, low: 800, high: 1038 })
  // revenue 5000 x p / 1000, investment 1000: ROI = (5 p - 1000) / 1000 x 100
  t.strictSame(result.pacing.projectedRoi, { expected: '359.50', low: '300.00', high: '419.00' })
})

t.test('no schedule: unavailable, with the reason', async (t) => {
  const row = await storeEvent('unscheduled', { starts_at: null, ends_at: null })
  t.match(await readEventPacing(db, row), { unavailable: { reason: 'NO_SCHEDULE' } })
})

t.test('the schedule order is a constraint too', async (t) => {
  await t.rejects(storeEvent('backwards', { starts_at: startsAt, ends_at: startsAt }), /event_stats_schedule_order/)
})
