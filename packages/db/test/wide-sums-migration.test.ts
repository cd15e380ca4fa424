/**
 * Migration 0003 (wide sums): the accumulated money and derived figures are wide on a fresh
 * database and on one migrated to 0002 that already holds rows, without losing a digit,
 * rewriting the tables or dropping a CHECK; down() narrows back when the data still fits.
 */
import t from 'tap'
import { sql } from 'kysely'
import { Migrator } from 'kysely/migration'
import type { Kysely } from 'kysely'
import { ensureTimelinePartitions, migrationProvider } from '../src/index.js'
import type { Database } from '../src/index.js'
import { createDatabaseAtMigration, createTestDatabase } from '../src/testing/index.js'

type Column = `${string}.${string}`

/** numeric(precision, scale) of every money / percent column after 0003. */
const WIDE: Readonly<Record<Column, string>> = {
  'event_stats.own_investment': '15,2',
  'event_stats.distribution_cost': '33,2',
  'event_stats.total_investment': '33,2',
  'event_stats.expected_revenue': '15,2',
  'event_stats.target_roi': '10,2',
  'event_stats.sales_growth_rate': '10,2',
  'event_stats.estimated_revenue': '33,2',
  'event_stats.estimated_roi': '35,2',
  'channel_stats.distribution_cost': '33,2',
  'channel_stats.average_duration_sec': '10,2',
}

async function numericTypes(db: Kysely<Database>): Promise<Record<string, string>> {
  const result = await sql<{ column: string; type: string }>`
    SELECT table_name || '.' || column_name AS column, numeric_precision || ',' || numeric_scale AS type
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name IN ('event_stats', 'channel_stats') AND data_type = 'numeric'
    ORDER BY 1`.execute(db)
  return Object.fromEntries(result.rows.map((row) => [row.column, row.type]))
}

/** Every integer-typed column of the projections (all must be bigint, but expected_participants). */
async function integerTypes(db: Kysely<Database>): Promise<Record<string, string>> {
  const result = await sql<{ column: string; type: string }>`
    SELECT table_name || '.' || column_name AS column, data_type AS type
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name IN ('event_stats', 'channel_stats', 'timeline_data')
      AND data_type IN ('smallint', 'integer', 'bigint')
    ORDER BY 1`.execute(db)
  return Object.fromEntries(result.rows.map((row) => [row.column, row.type]))
}

async function fileNodes(db: Kysely<Database>): Promise<Record<string, number>> {
  const result = await sql<{ relname: string; relfilenode: number }>`
    SELECT relname, relfilenode::int AS relfilenode FROM pg_class
    WHERE relname IN ('event_stats', 'channel_stats') ORDER BY relname`.execute(db)
  return Object.fromEntries(result.rows.map((row) => [row.relname, row.relfilenode]))
}

/** The listed columns only, so a later migration adding a column does not break this test. */
async function moneyTypes(db: Kysely<Database>): Promise<Record<string, string | undefined>> {
  const types = await numericTypes(db)
  return Object.fromEntries(Object.keys(WIDE).map((column) => [column, types[column]]))
}

/** Up to 0003 exactly (not latest: later migrations are not this test's business). */
async function migrateTo(db: Kysely<Database>, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo(name)
  if (error !== undefined) throw error
}

t.test('a fresh database has the wide columns', async (t) => {
  const { db } = await createTestDatabase(t)
  t.strictSame(await moneyTypes(db), WIDE)
  const integers = await integerTypes(db)
  for (const [column, type] of Object.entries(integers)) {
    t.equal(type, column === 'event_stats.expected_participants' ? 'integer' : 'bigint', `${column} is ${type}`)
  }
  t.ok(Object.keys(integers).length >= 20, 'every counter was looked at')
})

const hour = new Date('2024-01-01T10:00:00Z')

t.test('0003 on a database at 0002 with rows keeps every value, every check and the table files', async (t) => {
  const db = await createDatabaseAtMigration(t, '0002_provider_health')
  t.equal((await numericTypes(db))['event_stats.distribution_cost'], '15,2', 'starts narrow')
  await ensureTimelinePartitions(db, hour, hour)
  await db
    .insertInto('event_stats')
    .values({
      event_id: 'old',
      user_id: 'owner',
      title: 'Before 0003',
      event_created_at: hour,
      own_investment: '9999999999999.99',
      distribution_cost: '9999999999999.99',
      total_investment: '9999999999999.99',
      expected_revenue: '9999999999999.99',
      expected_participants: 2_147_483_647,
      target_roi: '-99999999.99',
      sales_growth_rate: '99999999.99',
      total_participants: 9_007_199_254_740_991,
      total_views: 42,
      estimated_revenue: '9999999999999.99',
      estimated_roi: '-100.00',
    })
    .execute()
  await db
    .insertInto('channel_stats')
    .values({
      event_id: 'old',
      channel_name: 'GENIE_TV',
      channel_type: 'TV',
      participants: 7,
      distribution_count: 3,
      distribution_cost: '0.01',
      average_duration_sec: '99999999.99',
      total_calls: 2,
      completed_calls: 1,
    })
    .execute()
  await db.insertInto('timeline_data').values({ event_id: 'old', timestamp: hour, participants: 7, cumulative_participants: 7 }).execute()
  const before = {
    event: await db.selectFrom('event_stats').selectAll().executeTakeFirstOrThrow(),
    channel: await db.selectFrom('channel_stats').selectAll().executeTakeFirstOrThrow(),
    timeline: await db.selectFrom('timeline_data').selectAll().executeTakeFirstOrThrow(),
  }
  const files = await fileNodes(db)

  await migrateTo(db, '0003_wide_sums')
  t.strictSame(await moneyTypes(db), WIDE)
  t.strictSame(await fileNodes(db), files, 'widening a numeric is catalog-only: no table rewrite')
  t.strictSame(await db.selectFrom('event_stats').selectAll().executeTakeFirstOrThrow(), before.event, 'event row unchanged')
  t.strictSame(await db.selectFrom('channel_stats').selectAll().executeTakeFirstOrThrow(), before.channel, 'channel row unchanged')
  t.strictSame(await db.selectFrom('timeline_data').selectAll().executeTakeFirstOrThrow(), before.timeline, 'timeline row unchanged')

  const wide = '9999999999999999999999999999999.99'
  await t.resolves(
    db
      .updateTable('event_stats')
      .set({ distribution_cost: wide, total_investment: wide, estimated_revenue: wide, estimated_roi: `99${wide}` })
      .execute(),
    'the widest values fit',
  )
  await t.rejects(
    db
      .updateTable('event_stats')
      .set({ distribution_cost: `9${wide}` })
      .execute(),
    { code: '22003' },
    'and the width is a bound',
  )
  await t.rejects(
    db.updateTable('channel_stats').set({ distribution_cost: '-0.01' }).execute(),
    { code: '23514' },
    'non-negative CHECK kept',
  )
  await t.rejects(db.updateTable('event_stats').set({ estimated_revenue: '-0.01' }).execute(), { code: '23514' }, 'non-negative CHECK kept')
  await t.resolves(db.updateTable('event_stats').set({ estimated_roi: '-100.00' }).execute(), 'ROI still signed')
})

t.test('down() narrows back when the data fits and refuses to truncate when it does not', async (t) => {
  const db = await createDatabaseAtMigration(t, '0002_provider_health')
  await migrateTo(db, '0003_wide_sums')
  await db.insertInto('event_stats').values({ event_id: 'e', distribution_cost: '10000000000000.00' }).execute()
  const migrator = new Migrator({ db, provider: migrationProvider })
  const refused = await migrator.migrateTo('0002_provider_health')
  t.match(refused.error, { code: '22003' }, 'a value past decimal(15,2) stops the down migration')
  t.equal((await numericTypes(db))['event_stats.distribution_cost'], '33,2', 'and leaves the column wide')
  await db.updateTable('event_stats').set({ distribution_cost: '12.34' }).execute()
  const narrowed = await migrator.migrateTo('0002_provider_health')
  t.equal(narrowed.error, undefined)
  t.equal((await numericTypes(db))['event_stats.distribution_cost'], '15,2')
  t.equal((await db.selectFrom('event_stats').select('distribution_cost').executeTakeFirstOrThrow()).distribution_cost, '12.34')
})
