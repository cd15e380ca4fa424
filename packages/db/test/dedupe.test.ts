import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { claimMessages, dropExpiredDedupePartitions, ensureDedupePartition, listPartitions, rollDedupeEpoch } from '../src/index.js'
import { createTestDatabase } from '../src/testing/index.js'

// Clock of this test: the epoch only ever moves forward, so the days are in the future.
const day1 = new Date('2040-01-10T12:00:00Z')
const day2 = new Date('2040-01-11T00:00:01Z')
const { db } = await createTestDatabase(t)

const claim = (ids: string[]) => db.transaction().execute((trx) => claimMessages(trx, ids))
const sorted = (ids: Set<string>) => [...ids].sort()
/** Claims are stored under a digest of the id (migration 0007). */
const claimKeyOf = (id: string) => sql<Buffer>`message_claim_key(${id})`

/** Lock requests on dedupe_epoch in this database that wait (not granted yet). */
async function epochLockWaiters(): Promise<number> {
  const { rows } = await sql<{ waiting: number }>`
    SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE c.relname = 'dedupe_epoch' AND NOT l.granted
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(db)
  return rows[0]?.waiting ?? 0
}

/** Backends of this database waiting for any lock (a claim blocked on another's uncommitted key). */
async function lockWaiters(): Promise<number> {
  const { rows } = await sql<{ waiting: number }>`
    SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE NOT l.granted AND a.datname = current_database()`.execute(db)
  return rows[0]?.waiting ?? 0
}

async function until(what: string, holds: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

t.test('within one day: an id is new once', async (t) => {
  t.same(await rollDedupeEpoch(db, day1), { currentDay: '2040-01-10', rolled: true })
  t.same(sorted(await claim(['a', 'b', 'b'])), ['a', 'b'], 'duplicates inside one batch count once')
  t.same(sorted(await claim(['a', 'c'])), ['c'], 'a was applied before')
  t.same(sorted(await claim([])), [])
})

t.test('an id applied today among new ones: only the new ones are claimed, and the batch goes on', async (t) => {
  const stored = async (ids: string[]) =>
    Number(
      (
        await db
          .selectFrom('processed_messages')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where(
            'claim_key',
            'in',
            ids.map((id) => claimKeyOf(id)),
          )
          .executeTakeFirstOrThrow()
      ).n,
    )
  const won = await db.transaction().execute(async (trx) => {
    const fresh = await claimMessages(trx, ['mixed-new-1', 'a', 'mixed-new-2'])
    // The rejected first attempt must not leave the transaction aborted: later statements run.
    await claimMessages(trx, ['mixed-new-3'])
    return fresh
  })
  t.same(sorted(won), ['mixed-new-1', 'mixed-new-2'], 'a was applied before')
  t.equal(await stored(['mixed-new-1', 'mixed-new-2', 'mixed-new-3']), 3, 'each new id claimed once, the later claim kept')
  t.equal(await stored(['a']), 1, 'the applied id is not claimed again')
})

t.test('a rolled-back batch claims nothing', async (t) => {
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await claimMessages(trx, ['rolled-back'])
      throw new Error('batch failed')
    }),
    { message: 'batch failed' },
  )
  t.same(sorted(await claim(['rolled-back'])), ['rolled-back'], 'redelivery applies it')
})

t.test('across days: ids of older partitions stay applied', async (t) => {
  t.same(await rollDedupeEpoch(db, day2), { currentDay: '2040-01-11', rolled: true })
  t.same(await rollDedupeEpoch(db, day1), { currentDay: '2040-01-11', rolled: false }, 'never backwards')
  t.same(sorted(await claim(['a', 'c', 'd'])), ['d'], 'a and c were claimed yesterday')
  const rows = await db.selectFrom('processed_messages').select(['dedupe_day']).where('claim_key', '=', claimKeyOf('d')).execute()
  t.same(rows, [{ dedupe_day: '2040-01-11' }], 'date comes back as an ISO day string')
})

t.test('two concurrent transactions claiming one id: exactly one gets it', async (t) => {
  for (let round = 0; round < 5; round += 1) {
    const id = `race-${round}`
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    // First transaction claims and holds its transaction open; the second blocks on the key.
    let claimed = false
    const first = db.transaction().execute(async (trx) => {
      const won = await claimMessages(trx, [id, `only-first-${round}`])
      claimed = true
      await gate
      return won
    })
    await until('the first transaction to hold its claims', async () => claimed)
    const second = claim([id, `only-second-${round}`])
    await until('the second transaction to wait on the key', async () => (await lockWaiters()) >= 1)
    release()
    const [a, b] = await Promise.all([first, second])
    t.same(sorted(a), [`only-first-${round}`, id].sort(), 'first wins')
    t.same(sorted(b), [`only-second-${round}`], 'second sees it as applied')
  }
})

t.test('epoch roll waits for in-flight batches, later batches see their ids', async (t) => {
  await ensureDedupePartition(db, '2040-01-12')
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let claimed = false
  const inFlight = db.transaction().execute(async (trx) => {
    const won = await claimMessages(trx, ['slow'])
    claimed = true
    await gate
    return won
  })
  // Each step waits for the state it needs (not a fixed sleep, which a loaded machine outruns).
  await until('the in-flight batch to hold the epoch', async () => claimed)
  let rollDone = false
  const roll = rollDedupeEpoch(db, new Date('2040-01-12T00:00:00Z')).finally(() => (rollDone = true))
  await until('the roll to wait for its lock', async () => (await epochLockWaiters()) >= 1)
  t.notOk(rollDone, 'the roll waits for the batch holding the epoch FOR SHARE')
  const later = claim(['slow'])
  await until('the later batch to queue behind the roll', async () => (await epochLockWaiters()) >= 2)
  release()
  t.same(sorted(await inFlight), ['slow'])
  t.same(await roll, { currentDay: '2040-01-12', rolled: true })
  t.same(sorted(await later), [], 'the next day still knows the id of the in-flight batch')
  const days = await db
    .selectFrom('processed_messages')
    .select('dedupe_day')
    .where('claim_key', '=', claimKeyOf('slow'))
    .orderBy('dedupe_day')
    .execute()
  t.same(days, [{ dedupe_day: '2040-01-11' }, { dedupe_day: '2040-01-12' }], 'the later batch ran in the new epoch')
})

t.test('expired dedupe partitions are dropped, recent ones and the epoch kept', async (t) => {
  const before = await listPartitions(db, 'processed_messages')
  t.ok(before.includes('processed_messages_p2040_01_10'))
  // 2040-01-13 with 2 days of retention: 01-10 goes (10 < 11), 01-11 stays.
  const dropped = await dropExpiredDedupePartitions(db, new Date('2040-01-13T05:00:00Z'), 2)
  t.ok(dropped.includes('processed_messages_p2040_01_10'), dropped.join(','))
  t.notOk(dropped.includes('processed_messages_p2040_01_11'))
  // a was seen again on 01-11 (re-stamped into that partition); b only on 01-10, now expired.
  t.same(sorted(await claim(['a', 'b'])), ['b'], 'retention counts from the last sighting')
  t.same(sorted(await claim(['x-new'])), ['x-new'])
  // A clock far ahead must never drop the epoch's partition.
  const all = await dropExpiredDedupePartitions(db, new Date('2040-03-01T00:00:00Z'), 1)
  t.notOk(all.includes('processed_messages_p2040_01_12'), 'epoch partition kept')
  t.same(sorted(await claim(['y-new'])), ['y-new'], 'claims still work')
  await t.rejects(dropExpiredDedupePartitions(db, day1, 0), RangeError)
})

t.test('ids longer than the column are refused before touching the database', async (t) => {
  await t.rejects(claim(['x'.repeat(65)]), RangeError)
  const count = await sql<{ n: number }>`SELECT count(*) AS n FROM processed_messages`.execute(db)
  t.type(count.rows[0]?.n, 'number', 'count(*) (int8) parses to a number')
})

t.test('a message dated within the last hour skips the older days closed over 49 h ago, and only those', async (t) => {
  const claimDated = (ids: string[], occurredAt: number) =>
    db.transaction().execute((trx) => claimMessages(trx, ids, { occurredAt: new Map(ids.map((id) => [id, occurredAt])) }))
  const closeAgo = (hours: number) =>
    sql`UPDATE dedupe_closures SET closed_at = now() - make_interval(hours => ${hours}) WHERE day = '2040-01-13'`.execute(db)
  const aged = ['aged-1', 'aged-2', 'aged-3', 'aged-4', 'aged-5', 'aged-6', 'aged-7']
  t.same((await rollDedupeEpoch(db, new Date('2040-01-13T00:00:00Z'))).currentDay, '2040-01-13')
  t.same(sorted(await claim(aged)), aged)
  t.same((await rollDedupeEpoch(db, new Date('2040-01-14T00:00:00Z'))).currentDay, '2040-01-14')
  const closed = await sql<{ age: number }>`
    SELECT extract(epoch FROM now() - closed_at)::float8 AS age FROM dedupe_closures WHERE day = '2040-01-13'`.execute(db)
  t.ok(closed.rows.length === 1 && Math.abs(closed.rows[0]?.age ?? Infinity) < 60, 'the roll recorded when it closed the day')

  const now = Date.now()
  await closeAgo(50)
  t.same(sorted(await claimDated(['aged-1'], now)), ['aged-1'], 'dated now: the day closed 50 h ago is not looked at')
  t.same(sorted(await claimDated(['aged-2'], now - 2 * 3_600_000)), [], 'dated 2 h ago: every older day is looked at')
  t.same(sorted(await claim(['aged-3'])), [], 'no date: every older day is looked at')
  const mixed = new Map([
    ['aged-6', now],
    ['aged-7', now - 2 * 3_600_000],
    ['mixed-fresh', now - 2 * 3_600_000],
  ])
  const won = await db.transaction().execute((trx) => claimMessages(trx, [...mixed.keys()], { occurredAt: mixed }))
  t.same(sorted(won), ['aged-6', 'mixed-fresh'], 'one batch, both kinds: each message looked for as its date says')
  await closeAgo(48)
  t.same(sorted(await claimDated(['aged-4'], now)), [], 'dated now, the day closed 48 h ago: looked at')
  await sql`DELETE FROM dedupe_closures WHERE day = '2040-01-13'`.execute(db)
  t.same(sorted(await claimDated(['aged-5'], now)), [], 'a day without a closure is looked at')
})
