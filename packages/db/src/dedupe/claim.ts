import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../schema/types.js'

/**
 * Longest message id accepted; UUIDs are 36. Claims store a fixed-size digest since migration
 * 0007, but the bound stays what it was (varchar(64) before): apply_failures keeps the id itself,
 * and a longer id is refused as before rather than accepted by one release only.
 */
export const MAX_MESSAGE_ID_LENGTH = 64

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
 * 2. INSERT ... ON CONFLICT DO NOTHING RETURNING into that day: the primary key makes two
 *    concurrent transactions claiming one key serialise; exactly one gets it back.
 * 3. Drop the keys found in OLDER partitions: those were applied on an earlier day. The epoch
 *    lock of step 1 guarantees every batch of an older day has committed; step 3 sees them
 *    because it runs in a later statement than step 1 (READ COMMITTED takes a snapshot per
 *    statement), which is why steps 2 and 3 share one statement but step 1 stays apart.
 *
 * Requires READ COMMITTED (PostgreSQL's default): under REPEATABLE READ step 1 fails with a
 * serialization error while the epoch is rolled, and step 3 could miss fresh commits.
 */
export async function claimMessages(trx: Transaction<Database>, messageIds: readonly string[]): Promise<Set<string>> {
  if (!trx.isTransaction) throw new Error('claimMessages must run inside the batch transaction')
  const unique = [...new Set(messageIds)]
  if (unique.length === 0) return new Set()
  const tooLong = unique.find((id) => id.length > MAX_MESSAGE_ID_LENGTH)
  if (tooLong !== undefined) throw new RangeError(`message id longer than ${MAX_MESSAGE_ID_LENGTH}: "${tooLong}"`)

  const epoch = await trx.selectFrom('dedupe_epoch').select('current_day').forShare().executeTakeFirst()
  if (epoch === undefined) throw new Error('dedupe_epoch is empty: run the migrations')

  // unnest(): one array parameter whatever the batch size (bind parameters top out at 65535).
  // ORDER BY claim_key: every batch inserts its keys in one global order, so two batches whose
  // ids overlap take the key locks in the same order and queue instead of deadlocking.
  // The older days are probed per claimed key (= ANY(ARRAY(...)): index probes into each
  // older partition), never joined: a join lets the planner hash whole partitions, a cost
  // that grows with every claim kept instead of with the batch.
  const fresh = await sql<{ message_id: string }>`
    WITH batch AS (
      SELECT id AS message_id, message_claim_key(id) AS claim_key FROM unnest(${unique}::text[]) AS id
    ), claimed AS (
      INSERT INTO processed_messages (claim_key, dedupe_day)
      SELECT claim_key, ${epoch.current_day}::date FROM batch ORDER BY claim_key
      ON CONFLICT (claim_key, dedupe_day) DO NOTHING
      RETURNING claim_key
    ), older AS (
      SELECT claim_key FROM processed_messages
      WHERE claim_key = ANY(ARRAY(SELECT claim_key FROM claimed)) AND dedupe_day < ${epoch.current_day}::date
    )
    SELECT message_id FROM batch
    WHERE claim_key IN (SELECT claim_key FROM claimed) AND claim_key NOT IN (SELECT claim_key FROM older)`.execute(trx)
  return new Set(fresh.rows.map((row) => row.message_id))
}

/** Messages applied so far (one claim each, whatever the retries): what a ground truth is compared with. */
export async function countClaimedMessages(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('processed_messages')
    .select((eb) => eb.fn.countAll<string>().as('claims'))
    .executeTakeFirstOrThrow()
  return Number(row.claims)
}
