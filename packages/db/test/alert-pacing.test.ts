/** readPacings (many events, two queries) gives each event exactly what readEventPacing (the dashboard's) gives. */
import t from 'tap'
import { sql } from 'kysely'
import { readEventPacing, refreshEventFigures } from '../src/index.js'
import { readPacings } from '../src/queries/alert-pacing.js'
import { createTestDatabase } from '../src/testing/index.js'

const HOUR_MS = 3_600_000

t.test('batched pacing equals the per-event pacing', async (t) => {
  const now = Date.now()
  const { db } = await createTestDatabase(t)
  const at = (hoursAgo: number) => new Date(Math.floor(now / HOUR_MS) * HOUR_MS - hoursAgo * HOUR_MS)
  // Scheduled and running (with and without recent hours), not started, ended, unscheduled, no expected count.
  const events = [
    { id: 'running', starts: at(30), ends: at(-30), expected: 500, asOf: at(1) },
    { id: 'fresh', starts: at(0.5), ends: at(-30), expected: 500, asOf: at(0.2) },
    { id: 'later', starts: at(-5), ends: at(-30), expected: 500, asOf: at(1) },
    { id: 'ended', starts: at(40), ends: at(10), expected: 500, asOf: at(1) },
    { id: 'none', starts: null, ends: null, expected: 500, asOf: at(1) },
    { id: 'zero', starts: at(30), ends: at(-30), expected: 0, asOf: at(1) },
  ]
  for (const [index, e] of events.entries()) {
    await db
      .insertInto('event_stats')
      .values({
        event_id: e.id,
        user_id: 'owner',
        event_created_at: at(50),
        starts_at: e.starts,
        ends_at: e.ends,
        expected_participants: e.expected,
        expected_revenue: '10000.00',
        own_investment: `${1000 + index}.00`,
        target_roi: '50.00',
        total_participants: 37 + index,
        last_occurred_at: e.asOf,
      })
      .execute()
    for (let hour = 1; hour <= 30; hour += 1) {
      await sql`INSERT INTO timeline_data (event_id, "timestamp", participants) VALUES (${e.id}, ${at(hour)}, ${(hour * 7 + index) % 11})`.execute(
        db,
      )
    }
  }
  await refreshEventFigures(
    db,
    events.map((e) => e.id),
  )
  const rows = await db.selectFrom('event_stats').selectAll().orderBy('event_id').execute()
  const batched = await readPacings(db, rows)
  for (const row of rows) {
    const single = await readEventPacing(db, row)
    t.same(batched.get(row.event_id) ?? null, 'pacing' in single ? single.pacing : null, row.event_id)
  }
  t.type(batched.get('running')?.projectedRoi?.expected, 'string', 'the running event has a projected ROI')
})
