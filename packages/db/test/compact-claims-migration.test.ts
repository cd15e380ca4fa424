/**
 * Migration 0007 (compact claims) on a deployment that upgrades with claims in place: ids
 * claimed before the upgrade, today and on earlier days, stay claimed; the partition upkeep
 * keeps working; a previous-release aggregator still writing ids fails transiently (not as a
 * data error that would dead-letter its messages).
 */
import t from 'tap'
import { sql } from 'kysely'
import {
  claimMessages,
  dropExpiredDedupePartitions,
  ensureDedupePartition,
  isDataError,
  listPartitions,
  migrateToLatest,
  pgErrorCode,
  rollDedupeEpoch,
} from '../src/index.js'
import { createDatabaseAtMigration } from '../src/testing/index.js'

const db = await createDatabaseAtMigration(t, '0006_figures')

// The days of this test are in the future: the epoch only moves forward.
const yesterday = '2041-03-09'
const today = '2041-03-10'
await ensureDedupePartition(db, yesterday)
await rollDedupeEpoch(db, new Date(`${today}T08:00:00Z`))

/** What the previous release wrote: the message id itself. */
const oldReleaseClaim = (id: string, day: string) => sql`INSERT INTO processed_messages (message_id, dedupe_day) VALUES (${id}, ${day})`

await oldReleaseClaim('claimed-yesterday', yesterday).execute(db)
await oldReleaseClaim('claimed-today', today).execute(db)
await oldReleaseClaim('seen-both-days', yesterday).execute(db)
await oldReleaseClaim('seen-both-days', today).execute(db)
// A non-ASCII id: the digest is taken over its UTF-8 bytes in both the conversion and new claims.
await oldReleaseClaim('évènement-ü-1', today).execute(db)

t.same((await migrateToLatest(db)).slice(0, 1), ['0007_compact_claims'], 'from 0007 on, later ones after it')

const claim = (ids: string[]) => db.transaction().execute((trx) => claimMessages(trx, ids))

t.test('ids claimed before the upgrade stay claimed, new ones are claimed once', async (t) => {
  const fresh = await claim(['claimed-yesterday', 'claimed-today', 'seen-both-days', 'évènement-ü-1', 'brand-new'])
  t.same([...fresh], ['brand-new'])
  t.same([...(await claim(['brand-new']))], [], 'and the new one is now claimed')
  const count = await sql<{ claims: number }>`SELECT count(*)::int AS claims FROM processed_messages`.execute(db)
  // 5 converted rows, plus today's re-stamp of claimed-yesterday and the new id.
  t.equal(count.rows[0]?.claims, 7)
})

t.test('every claim is a 16-byte key', async (t) => {
  const widths = await sql<{ width: number }>`SELECT DISTINCT octet_length(claim_key) AS width FROM processed_messages`.execute(db)
  t.same(widths.rows, [{ width: 16 }])
})

t.test('a previous-release claim now fails, and not as the message data', async (t) => {
  const failure: unknown = await oldReleaseClaim('late-old-writer', today)
    .execute(db)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    )
  t.equal(pgErrorCode(failure), '42703', 'undefined column')
  t.notOk(isDataError(failure), 'the old aggregator retries instead of dead-lettering')
})

t.test('the partition upkeep still works on converted partitions', async (t) => {
  await rollDedupeEpoch(db, new Date('2041-03-11T00:00:01Z'))
  t.same([...(await claim(['claimed-today', 'next-day']))], ['next-day'])
  const dropped = await dropExpiredDedupePartitions(db, new Date('2041-03-12T00:00:00Z'), 2)
  t.ok(dropped.includes('processed_messages_p2041_03_09'), dropped.join(','))
  t.notOk(dropped.includes('processed_messages_p2041_03_10'), 'the retention is kept')
  t.notOk((await listPartitions(db, 'processed_messages')).includes('processed_messages_p2041_03_09'))
})
