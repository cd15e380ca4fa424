/**
 * Migration 0006 (the figures_* functions) on a database at 0005 that already holds rows:
 * stored figures that agree with the functions are left untouched (no write), rows that
 * disagree are recomputed, and running it again changes nothing.
 */
import t from 'tap'
import type { Kysely } from 'kysely'
import { migrateToLatest, migrations } from '../src/index.js'
import { createDatabaseAtMigration } from '../src/testing/index.js'

const longAgo = new Date('2024-01-01T00:00:00Z')
const figures = ['event_id', 'total_investment', 'estimated_revenue', 'estimated_roi', 'total_views', 'updated_at'] as const

t.test('0006 recomputes only the rows whose stored figures disagree', async (t) => {
  const db = await createDatabaseAtMigration(t, '0005_as_of')
  const primitives = { own_investment: '1000.00', distribution_cost: '500.00', expected_revenue: '3000.00', expected_participants: 100 }
  await db
    .insertInto('event_stats')
    .values([
      // As the aggregator stored it before 0006.
      { event_id: 'right', ...primitives, total_participants: 30, total_investment: '1500.00', estimated_revenue: '900.00' },
      // Written by hand (or a bug): every derived column wrong.
      { event_id: 'wrong', ...primitives, total_participants: 60, total_views: 7 },
    ])
    .execute()
  await db.insertInto('channel_stats').values({ event_id: 'right', channel_name: 'A', views: 0 }).execute()
  await db.updateTable('event_stats').set({ estimated_roi: '-40.00', updated_at: longAgo }).where('event_id', '=', 'right').execute()
  await db.updateTable('event_stats').set({ updated_at: longAgo }).where('event_id', '=', 'wrong').execute()

  t.same((await migrateToLatest(db)).slice(0, 2), ['0006_figures', '0007_compact_claims'], 'from 0006 on, later ones after it')
  const rows = await db.selectFrom('event_stats').select(figures).orderBy('event_id').execute()
  t.same(
    rows[0],
    {
      event_id: 'right',
      total_investment: '1500.00',
      estimated_revenue: '900.00',
      estimated_roi: '-40.00',
      total_views: 0,
      updated_at: longAgo,
    },
    'a right row is not written',
  )
  t.equal(rows[1]?.event_id, 'wrong')
  t.same(
    { ...rows[1], updated_at: undefined },
    {
      event_id: 'wrong',
      total_investment: '1500.00',
      estimated_revenue: '1800.00',
      estimated_roi: '20.00',
      total_views: 0,
      updated_at: undefined,
    },
    'a wrong row is recomputed',
  )
  t.ok(rows[1]!.updated_at > longAgo, 'and marked written')

  const after = await db.selectFrom('event_stats').select(figures).orderBy('event_id').execute()
  t.same(await migrateToLatest(db), [], 'nothing left to apply')
  await migrations['0006_figures']!.up(db as Kysely<unknown>)
  t.same(await db.selectFrom('event_stats').select(figures).orderBy('event_id').execute(), after, 'running its up() again changes nothing')
  t.equal(migrations['0006_figures']!.down, undefined, 'forward-only')
})
