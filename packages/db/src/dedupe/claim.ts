import { sql } from 'kysely'
import type { Kysely, RawBuilder, Transaction } from 'kysely'
import { PgErrorCode, pgErrorCode } from '../errors.js'
import { addDays } from '../partitions/calendar.js'
import type { Database } from '../schema/types.js'
import { booleanArrayLiteral, textArrayLiteral } from '../array-literal.js'

/**
 * Longest message id accepted; UUIDs are 36. Claims store a fixed-size digest (migration 0007),
 * but apply_failures keeps the id itself in a varchar(64), so the bound is 64: every id that is
 * accepted can also be recorded as a failure.
 */
export const MAX_MESSAGE_ID_LENGTH = 64

/** How far back a message counts as recent, and how long before its date a recent message's first claim can be (see below). */
const RECENT_MS = 60 * 60 * 1000
const CLOSED_LONG_AGO = '49 hours'

export interface ClaimOptions {
  /**
   * occurredAt (epoch ms) by message id. A message dated within the last hour skips the older
   * days closed long before (see claimMessages); an id absent here is probed in every older day.
   */
  readonly occurredAt?: ReadonlyMap<string, number>
}

/**
 * Records `messageIds` as applied, inside the caller's batch transaction, and returns the
 * ids that had NOT been applied before: the caller applies the effects of exactly those
 * messages in the same transaction, so the claim and the effects commit (or vanish) together.
 *
 * A claim is stored under `message_claim_key(id)` (migration 0007: 128 bits of SHA-256 of the
 * id, bytes compared without a collation), never under the id itself.
 *
 * How uniqueness holds across the daily partitions (a partitioned primary key is only
 * unique within one partition):
 * 1. Read the single `dedupe_epoch` row FOR SHARE. Every batch running at the same time
 *    therefore inserts into the same day's partition, and rolling the epoch (an EXCLUSIVE
 *    table lock, then an UPDATE of that row) waits until all of them have ended.
 * 2. INSERT into that day: the primary key makes two concurrent transactions claiming one key
 *    serialise; exactly one gets it.
 * 3. Drop the keys found in OLDER partitions: those were applied on an earlier day. The epoch
 *    lock of step 1 guarantees every batch of an older day has committed; step 3 sees them
 *    because it runs in a later statement than step 1 (READ COMMITTED takes a snapshot per
 *    statement), which is why steps 2 and 3 share one statement but step 1 stays apart.
 *
 * Step 2 is first tried as a plain INSERT under a savepoint: most batches hold no id applied
 * today, and a plain insert costs the backend less per row than ON CONFLICT's speculative
 * insertion (a pre-check probe of the index, a speculative lock and a confirmation record for
 * every row). One key already there (a redelivery, a BullMQ retry, a concurrent batch that
 * won the key) fails the whole insert with a unique violation; the savepoint is rolled back
 * (nothing of it stays) and the batch is claimed again with INSERT ... ON CONFLICT DO NOTHING,
 * which tells the keys apart.
 *
 * Step 3 costs an index probe per key and older day (13 of them at the 14-day retention), so a
 * recent message skips the days closed long ago (`dedupe_closures`, written by the roll). The
 * ingest worker dead-letters a message dated more than 24 h ahead of its clock, so a message
 * was first read, and claimed, at most 24 h before its occurredAt; a message dated within the
 * last hour was never claimed before now - 25 h. Days closed before now - 49 h leave 24 h for
 * the clocks of the ingest worker and the database to disagree. This relies on every copy of a
 * message carrying the same occurredAt (the id names one message: a redelivery, a replay or a
 * re-send has the same bytes); a copy dated earlier is only probed more widely.
 *
 * Requires READ COMMITTED (PostgreSQL's default): under REPEATABLE READ step 1 fails with a
 * serialization error while the epoch is rolled, and step 3 could miss fresh commits.
 */
export async function claimMessages(
  trx: Transaction<Database>,
  messageIds: readonly string[],
  options: ClaimOptions = {},
): Promise<Set<string>> {
  if (!trx.isTransaction) throw new Error('claimMessages must run inside the batch transaction')
  const unique = [...new Set(messageIds)]
  if (unique.length === 0) return new Set()
  const tooLong = unique.find((id) => id.length > MAX_MESSAGE_ID_LENGTH)
  if (tooLong !== undefined) throw new RangeError(`message id longer than ${MAX_MESSAGE_ID_LENGTH}: "${tooLong}"`)

  // The closures are read in this statement's snapshot: a day closed by a roll this statement
  // waited for is missing from it, which only widens the probe.
  const epoch = await sql<{ current_day: string; closed_long_ago: string | null; now: Date }>`
    SELECT e.current_day::text AS current_day, now() AS now,
      (SELECT max(c.day)::text FROM dedupe_closures AS c
       WHERE c.day < e.current_day AND c.closed_at <= now() - ${CLOSED_LONG_AGO}::interval) AS closed_long_ago
    FROM dedupe_epoch AS e FOR SHARE OF e`.execute(trx)
  const row = epoch.rows[0]
  if (row === undefined) throw new Error('dedupe_epoch is empty: run the migrations')
  const recentSince = row.now.getTime() - RECENT_MS
  const claim: Claim = {
    ids: unique,
    recent: unique.map((id) => (options.occurredAt?.get(id) ?? -Infinity) >= recentSince),
    day: row.current_day,
    recentFrom: row.closed_long_ago === null ? '-infinity' : addDays(row.closed_long_ago, 1),
  }

  await sql`SAVEPOINT claim_insert`.execute(trx)
  let applied: readonly string[]
  try {
    applied = await insertClaims(trx, claim)
    await sql`RELEASE SAVEPOINT claim_insert`.execute(trx)
  } catch (error) {
    if (pgErrorCode(error) !== PgErrorCode.uniqueViolation) throw error
    await sql`ROLLBACK TO SAVEPOINT claim_insert`.execute(trx)
    applied = await insertClaimsSkippingApplied(trx, claim)
  }
  // The statements return the ids applied before (usually none), not the fresh ones: fewer rows to send and read.
  const before = new Set(applied)
  return new Set(before.size === 0 ? unique : unique.filter((id) => !before.has(id)))
}

interface Claim {
  readonly ids: readonly string[]
  /** By position in ids: dated within the last hour. */
  readonly recent: readonly boolean[]
  /** The epoch day the claims go into. */
  readonly day: string
  /** The first older day a recent message must be looked for in (`-infinity`: every one). */
  readonly recentFrom: string
}

// unnest(): one array parameter whatever the batch size (bind parameters top out at 65535).
// ORDER BY claim_key: every batch inserts its keys in one global order, so two batches whose
// ids overlap take the key locks in the same order and queue instead of deadlocking.
// The older days are probed per key (= ANY(ARRAY(...)): index probes into each older
// partition), never joined: a join lets the planner hash whole partitions, a cost that grows
// with every claim kept instead of with the batch. The probe arrays are sorted: each
// partition's scan sorts its array again, which is cheap on sorted input (measured: ~3 CPU-µs
// a message less than in the batch's order, 13 older days). recentFrom is a parameter, so the
// planner leaves the partitions before it out of the recent keys' probe.

/** Whether the batch mixes recent messages with others: only then does a key's kind travel with it. */
function mixed(claim: Claim): boolean {
  return claim.recent.some(Boolean) && !claim.recent.every(Boolean)
}

function batchOf(claim: Claim) {
  const ids = textArrayLiteral(claim.ids)
  if (!mixed(claim)) return sql`SELECT id AS message_id, message_claim_key(id) AS claim_key FROM unnest(${ids}::text[]) AS id`
  return sql`SELECT u.id AS message_id, message_claim_key(u.id) AS claim_key, u.recent
    FROM unnest(${ids}::text[], ${booleanArrayLiteral(claim.recent)}::boolean[]) AS u(id, recent)`
}

/**
 * Keys of `claimed` (a CTE of claim_key, in key order) found in an older day. A batch all of one
 * kind (the usual case: all recent) probes with `claimed` as it is, without splitting it.
 */
function olderOf(claim: Claim) {
  const everyDay = (keys: RawBuilder<unknown>) =>
    sql`SELECT claim_key FROM processed_messages WHERE claim_key = ANY(${keys}) AND dedupe_day < ${claim.day}::date`
  const recentDays = (keys: RawBuilder<unknown>) => sql`${everyDay(keys)} AND dedupe_day >= ${claim.recentFrom}::date`
  const all = sql`ARRAY(SELECT claim_key FROM claimed)`
  if (!mixed(claim)) return claim.recent[0] === true ? recentDays(all) : everyDay(all)
  const split = (recent: boolean) =>
    sql`ARRAY(SELECT claim_key FROM claimed WHERE claim_key IN (SELECT claim_key FROM batch WHERE recent = ${recent}) ORDER BY claim_key)`
  return sql`${everyDay(split(false))} UNION ALL ${recentDays(split(true))}`
}

/** Every id new today (a unique violation otherwise); returns those claimed on an older day. */
async function insertClaims(trx: Transaction<Database>, claim: Claim): Promise<string[]> {
  const found = await sql<{ message_id: string }>`
    WITH batch AS (${batchOf(claim)}), claimed AS (
      INSERT INTO processed_messages (claim_key, dedupe_day)
      SELECT claim_key, ${claim.day}::date FROM batch ORDER BY claim_key
      RETURNING claim_key
    ), older AS (${olderOf(claim)})
    SELECT message_id FROM batch WHERE claim_key IN (SELECT claim_key FROM older)`.execute(trx)
  return found.rows.map((row) => row.message_id)
}

/** Claims the ids not claimed today; returns the others and those claimed on an older day. */
async function insertClaimsSkippingApplied(trx: Transaction<Database>, claim: Claim): Promise<string[]> {
  const found = await sql<{ message_id: string }>`
    WITH batch AS (${batchOf(claim)}), claimed AS (
      INSERT INTO processed_messages (claim_key, dedupe_day)
      SELECT claim_key, ${claim.day}::date FROM batch ORDER BY claim_key
      ON CONFLICT (claim_key, dedupe_day) DO NOTHING
      RETURNING claim_key
    ), older AS (${olderOf(claim)})
    SELECT message_id FROM batch
    WHERE claim_key NOT IN (SELECT claim_key FROM claimed) OR claim_key IN (SELECT claim_key FROM older)`.execute(trx)
  return found.rows.map((row) => row.message_id)
}

/** Messages applied so far (one claim each, whatever the retries): what a ground truth is compared with. */
export async function countClaimedMessages(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('processed_messages')
    .select((eb) => eb.fn.countAll<string>().as('claims'))
    .executeTakeFirstOrThrow()
  return Number(row.claims)
}

/** Of `messageIds`, those claimed (applied) in any retained day: what an audit compares Kafka with. */
export async function findClaimedMessageIds(db: Kysely<Database>, messageIds: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(messageIds)].filter((id) => id.length <= MAX_MESSAGE_ID_LENGTH)
  if (unique.length === 0) return new Set()
  const found = await sql<{ message_id: string }>`
    SELECT id AS message_id FROM unnest(${unique}::text[]) AS id
    WHERE EXISTS (SELECT 1 FROM processed_messages WHERE claim_key = message_claim_key(id))`.execute(db)
  return new Set(found.rows.map((row) => row.message_id))
}
