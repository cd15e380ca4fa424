import t from 'tap'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import {
  closeDb,
  createDb,
  ensureTimelinePartitions,
  ensureTimelinePartitionsFor,
  listPartitions,
  TIMELINE_DEFAULT_PARTITION,
} from '../src/index.js'
import type { Database } from '../src/index.js'
import { AdvisoryLock } from '../src/partitions/ddl.js'
import { createTestDatabase } from '../src/testing/index.js'

const { db, url } = await createTestDatabase(t)

async function partitionOf(eventId: string, at: string): Promise<string | undefined> {
  const result = await sql<{ partition: string }>`
    SELECT tableoid::regclass::text AS partition FROM timeline_data
    WHERE event_id = ${eventId} AND "timestamp" = ${new Date(at)}`.execute(db)
  return result.rows[0]?.partition
}

function insertBucket(eventId: string, at: string, participants = 1) {
  return db
    .insertInto('timeline_data')
    .values({ event_id: eventId, timestamp: new Date(at), participants, cumulative_participants: participants })
    .execute()
}

t.test('rows of far past and far future months land in their own partitions', async (t) => {
  const created = await ensureTimelinePartitionsFor(db, [
    new Date('2019-03-15T07:00:00Z'),
    new Date('2031-07-31T23:00:00Z'),
    new Date('2019-03-01T00:00:00Z'),
  ])
  t.same(created.sort(), ['timeline_data_p2019_03', 'timeline_data_p2031_07'])
  await insertBucket('e1', '2019-03-01T00:00:00Z')
  await insertBucket('e1', '2019-03-31T23:00:00Z')
  await insertBucket('e1', '2031-07-31T23:00:00Z')
  t.equal(await partitionOf('e1', '2019-03-01T00:00:00Z'), 'timeline_data_p2019_03', 'first hour of the month')
  t.equal(await partitionOf('e1', '2019-03-31T23:00:00Z'), 'timeline_data_p2019_03', 'last hour of the month')
  t.equal(await partitionOf('e1', '2031-07-31T23:00:00Z'), 'timeline_data_p2031_07')
  t.same(await ensureTimelinePartitionsFor(db, [new Date('2019-03-02T00:00:00Z')]), [], 'second ensure is a no-op')
})

t.test('rows parked in DEFAULT move into the partition created for their month', async (t) => {
  await insertBucket('e2', '2022-05-10T03:00:00Z', 4)
  await insertBucket('e2', '2022-05-31T23:00:00Z', 6)
  await insertBucket('e2', '2022-06-01T00:00:00Z', 1)
  t.equal(await partitionOf('e2', '2022-05-10T03:00:00Z'), TIMELINE_DEFAULT_PARTITION, 'no partition yet: DEFAULT')
  t.same(await ensureTimelinePartitions(db, new Date('2022-05-20T00:00:00Z'), new Date('2022-05-20T00:00:00Z')), ['timeline_data_p2022_05'])
  t.equal(await partitionOf('e2', '2022-05-10T03:00:00Z'), 'timeline_data_p2022_05')
  t.equal(await partitionOf('e2', '2022-05-31T23:00:00Z'), 'timeline_data_p2022_05')
  t.equal(await partitionOf('e2', '2022-06-01T00:00:00Z'), TIMELINE_DEFAULT_PARTITION, 'other months stay put')
  const moved = await db
    .selectFrom('timeline_data')
    .select(['participants', 'cumulative_participants'])
    .where('event_id', '=', 'e2')
    .where('timestamp', '=', new Date('2022-05-10T03:00:00Z'))
    .executeTakeFirstOrThrow()
  t.same(moved, { participants: 4, cumulative_participants: 4 }, 'values survive the move')
})

t.test('concurrent creators of one month: one creates, nobody fails', async (t) => {
  // Separate pools and instances: no shared in-memory cache, real races on the catalog.
  const others: Kysely<Database>[] = [createDb(url, { poolSize: 1 }), createDb(url, { poolSize: 1 })]
  t.teardown(() => Promise.all(others.map((other) => closeDb(other))))
  await insertBucket('e3', '2027-09-09T09:00:00Z')
  const month = new Date('2027-09-01T00:00:00Z')
  const results = await Promise.all(others.map((other) => ensureTimelinePartitions(other, month, month)))
  t.same(results.flat(), ['timeline_data_p2027_09'], 'created exactly once')
  t.equal(await partitionOf('e3', '2027-09-09T09:00:00Z'), 'timeline_data_p2027_09')
})

t.test('DDL that cannot get its lock in time is retried `attempts` times, each failure logged', async (t) => {
  const holder = createDb(url, { poolSize: 1 })
  t.teardown(() => closeDb(holder))
  let release = (): void => {}
  const released = new Promise<void>((resolve) => (release = resolve))
  let locked = (): void => {}
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  // Another session holds the creators' advisory lock for as long as the test says.
  const holding = holder.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${AdvisoryLock.timelinePartitions}::bigint)`.execute(trx)
    locked()
    await released
  })
  await isLocked
  const warned: object[] = []
  const logger = { info: () => {}, warn: (object: object) => warned.push(object) }
  const month = new Date('2028-02-01T00:00:00Z')
  await t.rejects(ensureTimelinePartitions(db, month, month, { lockTimeoutMs: 20, attempts: 3, logger }), { code: '55P03' })
  t.same(
    warned.map((entry) => (entry as { attempt: number }).attempt),
    [1, 2],
    'a warning per retry, none for the last failure',
  )
  release()
  await holding
  t.same(await ensureTimelinePartitions(db, month, month, { lockTimeoutMs: 20, attempts: 3, logger }), ['timeline_data_p2028_02'])
})

t.test('a one-month range query scans only that month (partition pruning)', async (t) => {
  const plan = await sql<{ 'QUERY PLAN': string }>`
    EXPLAIN SELECT * FROM timeline_data
    WHERE event_id = 'e1' AND "timestamp" >= '2019-03-01T00:00:00Z' AND "timestamp" < '2019-04-01T00:00:00Z'`.execute(db)
  const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n')
  const scanned = new Set(text.match(/timeline_data_(p\d{4}_\d{2}|default)/g))
  t.same([...scanned], ['timeline_data_p2019_03'], text)
})

t.test('every partition has the (event_id, timestamp) B-tree and the timestamp BRIN', async (t) => {
  const partitions = await listPartitions(db, 'timeline_data')
  t.ok(partitions.length >= 7, `partitions: ${partitions.join(', ')}`)
  t.ok(partitions.includes(TIMELINE_DEFAULT_PARTITION))
  const indexes = await sql<{ tablename: string; indexdef: string }>`
    SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(${partitions}::text[])`.execute(db)
  for (const partition of partitions) {
    const defs = indexes.rows.filter((row) => row.tablename === partition).map((row) => row.indexdef)
    t.ok(
      defs.some((def) => /UNIQUE INDEX .* USING btree \(event_id, "timestamp"\)/.test(def)),
      `${partition} B-tree`,
    )
    t.ok(
      defs.some((def) => /USING brin \("timestamp"\)/.test(def)),
      `${partition} BRIN`,
    )
  }
})
