import t from 'tap'
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

t.test('within one day: an id is new once', async (t) => {
  t.same(await rollDedupeEpoch(db, day1), { currentDay: '2040-01-10', rolled: true })
  t.same(sorted(await claim(['a', 'b', 'b'])), ['a', 'b'], 'duplicates inside one batch count once')
  t.same(sorted(await claim(['a', 'c'])), ['c'], 'a was applied before')
  t.same(sorted(await claim([])), [])
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
    const first = db.transaction().execute(async (trx) => {
      const won = await claimMessages(trx, [id, `only-first-${round}`])
      await gate
      return won
    })
    await new Promise((resolve) => setTimeout(resolve, 30))
    const second = claim([id, `only-second-${round}`])
    await new Promise((resolve) => setTimeout(resolve, 30))
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
  const inFlight = db.transaction().execute(async (trx) => {
    const won = await claimMessages(trx, ['slow'])
    await gate
    return won
  })
  await new Promise((resolve) => setTimeout(resolve, 30))
  let rollDone = false
  const roll = rollDedupeEpoch(db, new Date('2040-01-12T00:00:00Z')).finally(() => (rollDone = true))
  await new Promise((resolve) => setTimeout(resolve, 60))
  t.notOk(rollDone, 'the roll waits for the batch holding the epoch FOR SHARE')
  const later = claim(['slow'])
  await new Promise((resolve) => setTimeout(resolve, 30))
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
