import t from 'tap'
import { sql } from 'kysely'
import { listPartitions, migrateToLatest, migrations, setupDatabase } from '../src/index.js'
import { createTestDatabase } from '../src/testing/index.js'

const { db, url } = await createTestDatabase(t)

async function schemaFingerprint(): Promise<string> {
  const result = await sql<{ fingerprint: string }>`
    SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname) AS fingerprint
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public'`.execute(db)
  return result.rows[0]?.fingerprint ?? ''
}

t.test('migrating again is a no-op', async (t) => {
  const before = await schemaFingerprint()
  t.same(await migrateToLatest(db), [], 'nothing left to apply')
  await setupDatabase(url, { monthsBack: 1, monthsAhead: 1 })
  t.equal(await schemaFingerprint(), before, 'no relation created or dropped')
  const applied = await db
    .selectFrom(sql<{ name: string }>`kysely_migration`.as('m'))
    .select('name')
    .execute()
  t.same(
    applied.map((row) => row.name),
    Object.keys(migrations),
    'each migration recorded once',
  )
})

t.test('migrate creates the partition window', async (t) => {
  await setupDatabase(url, { now: new Date('2030-06-15T00:00:00Z'), monthsBack: 2, monthsAhead: 1 })
  const partitions = await listPartitions(db, 'timeline_data')
  for (const name of ['timeline_data_p2030_04', 'timeline_data_p2030_05', 'timeline_data_p2030_06', 'timeline_data_p2030_07']) {
    t.ok(partitions.includes(name), name)
  }
  const dedupe = await listPartitions(db, 'processed_messages')
  t.ok(dedupe.includes('processed_messages_p2030_06_15') && dedupe.includes('processed_messages_p2030_06_16'))
  const epoch = await db.selectFrom('dedupe_epoch').select('current_day').executeTakeFirstOrThrow()
  t.equal(epoch.current_day, '2030-06-15')
})

t.test('column types come back as the Database interface says', async (t) => {
  await db
    .insertInto('event_stats')
    .values({ event_id: 'types', own_investment: '1500000.10', total_participants: 9_007_199_254_740_991 })
    .execute()
  const row = await db.selectFrom('event_stats').selectAll().where('event_id', '=', 'types').executeTakeFirstOrThrow()
  t.equal(row.own_investment, '1500000.10', 'numeric stays an exact string')
  t.equal(row.total_participants, 9_007_199_254_740_991, 'bigint counter is a number')
  t.type(row.id, 'number')
  t.ok(row.created_at instanceof Date)
  t.equal(row.status, 'ACTIVE')
  t.equal(row.event_created_at, null, 'not visible until event-created')
  await t.rejects(
    sql`SELECT 9007199254740993::bigint AS too_big`.execute(db),
    RangeError,
    'a bigint beyond 2^53 fails loudly instead of rounding',
  )
})

t.test('an unreachable server fails loudly', async (t) => {
  await t.rejects(setupDatabase('postgres://postgres@127.0.0.1:1/nowhere'), /cannot reach PostgreSQL/)
})
