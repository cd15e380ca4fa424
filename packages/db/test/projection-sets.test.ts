/**
 * Projection sets (src/sets): a set is a schema with its own copy of every table the log derives,
 * its own set-bound functions and partitions; the live pointer moves in one transaction.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { sql } from 'kysely'
import { closeDb, createDb } from '../src/client.js'
import { listPartitions } from '../src/partitions/ddl.js'
import { refreshEventFigures } from '../src/queries/event-figures.js'
import { foldRegistrations } from '../src/queries/fold-registrations.js'
import {
  SET_BOUND_FUNCTIONS,
  SET_TABLES,
  adoptProviderMetrics,
  compareProjectionSets,
  createProjectionSet,
  dropProjectionSet,
  listProjectionSets,
  lockSetLiveness,
  readLiveSet,
  setShapeDifferences,
  switchLiveSet,
  withLiveSet,
} from '../src/sets/index.js'
import { createTestDatabase } from '../src/testing/index.js'

const { db, url } = await createTestDatabase(t)
const now = new Date()
await createProjectionSet(db, url, 'rb_one', { now, monthsBack: 1, monthsAhead: 1, note: 'test' })
const setDb = createDb(url, { poolSize: 3, projectionSet: 'rb_one' })
t.teardown(() => closeDb(setDb))

async function insertEvent(target: typeof db, eventId: string, participants: number): Promise<void> {
  await sql`
    INSERT INTO event_stats (event_id, user_id, title, own_investment, expected_revenue, expected_participants, total_participants, event_created_at)
    VALUES (${eventId}, 'owner-1', ${eventId}, 1000.00, 3000.00, 100, ${participants}, now())`.execute(target)
  await sql`INSERT INTO channel_stats (event_id, channel_name, channel_type, participants) VALUES (${eventId}, 'tv-1', 'TV', ${participants})`.execute(
    target,
  )
  await refreshEventFigures(target, [eventId])
}

async function participantsIn(set: string, eventId: string): Promise<number | undefined> {
  const { rows } = await sql<{ total_participants: number }>`
    SELECT total_participants FROM ${sql.id(set, 'event_stats')} WHERE event_id = ${eventId}`.execute(db)
  return rows[0]?.total_participants
}

t.test('a set holds every set table, its own functions and partitions, and is not live', async (t) => {
  const { rows } = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'rb_one'`.execute(db)
  const tables = new Set(rows.map((row) => row.table_name))
  for (const table of SET_TABLES) t.ok(tables.has(table), `rb_one.${table}`)
  t.notOk(tables.has('alerts'), 'the alerts stay shared in public')
  t.ok((await listPartitions(setDb, 'timeline_data')).length >= 3, 'timeline months of the set')
  t.equal((await listPartitions(setDb, 'processed_messages')).length, 2, "today's and tomorrow's dedupe partitions")
  const functions = await sql<{ proname: string }>`
    SELECT proname FROM pg_proc WHERE pronamespace = 'rb_one'::regnamespace ORDER BY proname`.execute(db)
  t.same(functions.rows.map((row) => row.proname).sort(), [...SET_BOUND_FUNCTIONS].sort())
  t.same(
    (await listProjectionSets(db)).map((set) => [set.name, set.live, set.state]),
    [
      ['public', true, 'live'],
      ['rb_one', false, 'building'],
    ],
  )
  t.equal(await readLiveSet(db), 'public')
})

t.test('every public function with a standard SQL body over a set table is copied per set', async (t) => {
  const { rows } = await sql<{ proname: string }>`
    SELECT DISTINCT p.proname FROM pg_proc AS p
    JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_class'::regclass
    JOIN pg_class AS c ON c.oid = d.refobjid
    WHERE p.pronamespace = 'public'::regnamespace AND p.prosqlbody IS NOT NULL AND c.relname = ANY(${[...SET_TABLES]}::text[])`.execute(db)
  for (const row of rows) t.ok((SET_BOUND_FUNCTIONS as readonly string[]).includes(row.proname), `${row.proname} is set-bound`)
})

t.test('a set shaped by an earlier release is told apart', async (t) => {
  t.same(await setShapeDifferences(db, 'rb_one'), [], 'a fresh set is shaped like public')
  await sql`ALTER TABLE public.event_stats ADD COLUMN later_figure bigint`.execute(db)
  await sql`ALTER TABLE rb_one.settled_jobs ADD COLUMN stray text`.execute(db)
  t.same(await setShapeDifferences(db, 'rb_one'), [
    'event_stats.later_figure (bigint(64,0)) is missing in rb_one',
    'settled_jobs.stray is in rb_one only',
  ])
  await sql`ALTER TABLE public.event_stats DROP COLUMN later_figure`.execute(db)
  await sql`ALTER TABLE rb_one.settled_jobs DROP COLUMN stray`.execute(db)
})

t.test("a set's writer and its figures functions touch only the set", async (t) => {
  await insertEvent(setDb, 'evt-only-in-set', 40)
  t.equal(await participantsIn('rb_one', 'evt-only-in-set'), 40)
  t.equal(await participantsIn('public', 'evt-only-in-set'), undefined, 'public untouched')
  const { rows } = await sql<{ estimated_revenue: string }>`
    SELECT estimated_revenue::text FROM rb_one.event_stats WHERE event_id = 'evt-only-in-set'`.execute(db)
  t.equal(rows[0]?.estimated_revenue, '1200.00', "the set's figures_refresh_events updated the set's row")
  await sql`DELETE FROM rb_one.channel_stats`.execute(db)
  await sql`DELETE FROM rb_one.event_stats`.execute(db)
})

t.test('the comparison names exactly the events whose figures differ', async (t) => {
  await insertEvent(db, 'evt-same', 10)
  await insertEvent(setDb, 'evt-same', 10)
  await insertEvent(db, 'evt-fixed', 7)
  await insertEvent(setDb, 'evt-fixed', 9)
  await insertEvent(db, 'evt-gone', 1)
  await insertEvent(setDb, 'evt-new', 2)
  const report = await compareProjectionSets(db, 'public', 'rb_one')
  t.same(
    report.differences.map((difference) => [difference.eventId, difference.kind]),
    [
      ['evt-fixed', 'changed'],
      ['evt-gone', 'missing'],
      ['evt-new', 'added'],
    ],
  )
  const fixed = report.differences[0]!
  t.same(
    fixed.fields.map((field) => [field.field, field.before, field.after]),
    [
      ['channels.tv-1.participants', '7', '9'],
      ['estimatedRevenue', '210.00', '270.00'],
      ['participants', '7', '9'],
      ['roi', '-79.00', '-73.00'],
    ],
  )
  t.equal(report.eventsBefore, 3)
  t.equal(report.eventsAfter, 3)
})

t.test('provider metrics (not in the log) are carried over, views and ROI follow', async (t) => {
  await sql`UPDATE public.channel_stats SET views = 500, metrics_as_of = now() WHERE event_id = 'evt-same'`.execute(db)
  await refreshEventFigures(db, ['evt-same'])
  await sql`INSERT INTO public.timeline_data (event_id, "timestamp", views) VALUES ('evt-same', date_trunc('hour', now()), 500)`.execute(db)
  t.equal(await adoptProviderMetrics(db, 'public', 'rb_one'), 1)
  t.equal(await adoptProviderMetrics(db, 'public', 'rb_one'), 0, 'repeating it changes nothing')
  const report = await compareProjectionSets(db, 'public', 'rb_one')
  t.notOk(
    report.differences.some((difference) => difference.eventId === 'evt-same'),
    'channel views, total views and the timeline views match',
  )
})

t.test('the switch moves the readers in one transaction, and waits for a batch holding its set', async (t) => {
  t.equal(await withLiveSet(db, (live) => participantsOf(live, 'evt-fixed')), 7, 'public is read before the switch')
  // A batch of the set's writer holds its pointer row until it commits.
  let releaseBatch: () => void = () => undefined
  const held = new Promise<void>((resolve) => (releaseBatch = resolve))
  let liveInBatch: boolean | undefined
  const batch = setDb.transaction().execute(async (trx) => {
    liveInBatch = await lockSetLiveness(trx)
    await held
  })
  while (liveInBatch === undefined) await sleep(5)
  t.equal(liveInBatch, false)
  const switching = switchLiveSet(db, 'rb_one')
  let switched = false
  void switching.then(() => (switched = true))
  await until(async () => (await waitingLocks()) > 0)
  t.equal(switched, false, 'the switch waits for the batch')
  t.equal(await withLiveSet(db, (live) => participantsOf(live, 'evt-fixed')), 7, 'readers still read public meanwhile')
  releaseBatch()
  await batch
  const result = await switching
  t.same([result.from, result.to], ['public', 'rb_one'])
  t.same(
    result.events.map((event) => event.eventId),
    ['evt-fixed', 'evt-gone', 'evt-new', 'evt-same'],
    'every event of either set is named for the caches',
  )
  t.equal(await withLiveSet(db, (live) => participantsOf(live, 'evt-fixed')), 9, 'the rebuilt set from the next transaction on')
  const after = await setDb.transaction().execute((trx) => lockSetLiveness(trx))
  t.equal(after, true, "the set's writer now sees itself live")
  await t.rejects(dropProjectionSet(db, 'rb_one'), /is live/)
  const back = await switchLiveSet(db, 'public')
  t.same([back.from, back.to], ['rb_one', 'public'], 'roll back is the same switch')
  t.equal(await withLiveSet(db, (live) => participantsOf(live, 'evt-fixed')), 7)
  t.same(
    (await listProjectionSets(db)).map((set) => [set.name, set.live, set.state]),
    [
      ['public', true, 'live'],
      ['rb_one', false, 'retired'],
    ],
    'the other set is kept',
  )
})

t.test("a set's fold takes a lock of its own: a rebuild never makes the live fold skip", async (t) => {
  const publicFoldKey = 0x72657475726e696en
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${String(publicFoldKey)}::bigint)`.execute(trx)
    t.equal(await foldRegistrations(db), null, "public's fold skips while public's lock is held")
    t.not(await foldRegistrations(setDb), null, "the set's fold runs")
  })
})

t.test('a set that is not live can be dropped; public cannot', async (t) => {
  await t.rejects(dropProjectionSet(db, 'public'), /cannot be dropped/)
  await closeDb(setDb)
  await dropProjectionSet(db, 'rb_one')
  t.same(
    (await listProjectionSets(db)).map((set) => set.name),
    ['public'],
  )
  const { rows } = await sql<{ found: boolean }>`SELECT to_regnamespace('rb_one') IS NOT NULL AS found`.execute(db)
  t.equal(rows[0]?.found, false)
})

async function participantsOf(live: typeof db, eventId: string): Promise<number | undefined> {
  const row = await live.selectFrom('event_stats').select('total_participants').where('event_id', '=', eventId).executeTakeFirst()
  return row?.total_participants
}

async function waitingLocks(): Promise<number> {
  const { rows } = await sql<{ waiting: number }>`
    SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE NOT l.granted AND a.datname = current_database()`.execute(db)
  return rows[0]?.waiting ?? 0
}

async function until(holds: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await sleep(10)
  }
}
