import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../schema/types.js'

/** Longest message id processed_messages stores (varchar(64)); UUIDs are 36. */
export const MAX_MESSAGE_ID_LENGTH = 64

/**
 * Records `messageIds` as applied, inside the caller's batch transaction, and returns the
 * ids that had NOT been applied before: the caller applies the effects of exactly those
 * messages in the same transaction, so the claim and the effects commit (or vanish) together.
 *
 * How uniqueness holds across the daily partitions (a partitioned primary key is only
 * unique within one partition):
 * 1. Read the single `dedupe_epoch` row FOR SHARE. Every batch running at the same time
 *    therefore inserts into the same day's partition, and rolling the epoch (an EXCLUSIVE
 *    table lock, then an UPDATE of that row) waits until all of them have ended.
 * 2. INSERT ... ON CONFLICT DO NOTHING RETURNING into that day: the primary key makes two
 *    concurrent transactions claiming one id serialise; exactly one gets it back.
 * 3. Drop the ids found in OLDER partitions: those were applied on an earlier day. The epoch
 *    lock of step 1 guarantees every batch of an older day has committed and is visible.
 *
 * Requires READ COMMITTED (PostgreSQL's default): under REPEATABLE READ step 1 fails with a
 * serialization error while the epoch is rolled, and step 3 could miss fresh commits.
 */
export async function claimMessages(trx: Transaction<Database>, messageIds: readonly string[]): Promise<Set<string>> {
  if (!trx.isTransaction) throw new Error('claimMessages must run inside the batch transaction')
  // Sorted: two batches whose ids overlap then take the key locks in the same order, so
  // they queue behind each other instead of deadlocking.
  const unique = [...new Set(messageIds)].sort()
  if (unique.length === 0) return new Set()
  const tooLong = unique.find((id) => id.length > MAX_MESSAGE_ID_LENGTH)
  if (tooLong !== undefined) throw new RangeError(`message id longer than ${MAX_MESSAGE_ID_LENGTH}: "${tooLong}"`)

  const epoch = await trx.selectFrom('dedupe_epoch').select('current_day').forShare().executeTakeFirst()
  if (epoch === undefined) throw new Error('dedupe_epoch is empty: run the migrations')
  const day = epoch.current_day

  // unnest(): one array parameter whatever the batch size (bind parameters top out at 65535).
  const inserted = await trx
    .insertInto('processed_messages')
    .columns(['message_id', 'dedupe_day'])
    .expression(sql<{ message_id: string; dedupe_day: string }>`SELECT unnest(${unique}::varchar[]), ${day}::date`)
    .onConflict((oc) => oc.columns(['message_id', 'dedupe_day']).doNothing())
    .returning('message_id')
    .execute()
  const fresh = new Set(inserted.map((row) => row.message_id))
  if (fresh.size === 0) return fresh

  const older = await trx
    .selectFrom('processed_messages')
    .select('message_id')
    .where('message_id', '=', sql<string>`ANY(${[...fresh]}::varchar[])`)
    .where('dedupe_day', '<', day)
    .execute()
  for (const row of older) fresh.delete(row.message_id)
  return fresh
}

/** Messages applied so far (one claim each, whatever the retries): what a ground truth is compared with. */
export async function countClaimedMessages(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('processed_messages')
    .select((eb) => eb.fn.countAll<string>().as('claims'))
    .executeTakeFirstOrThrow()
  return Number(row.claims)
}
