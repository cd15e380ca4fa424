import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * Cheaper exactly-once claims and upserts, for capacity (the bench's sustained rate). Frozen once released.
 *
 * 1. processed_messages is keyed by a 16-byte digest of the message id instead of the id:
 *    `message_claim_key(id)` = the first 128 bits of SHA-256 over the id's UTF-8 bytes. A key
 *    compares as bytes (no collation) and its index entries are about half as wide. 128 bits,
 *    not 64: among 10^10 ids the chance that any two share a key is ~1.5 x 10^-19 (birthday
 *    bound n^2 / 2^129), and SHA-256 has no known way to craft a collision. The function is
 *    the only definition of the key: claims and this migration both call it. STABLE, not
 *    IMMUTABLE, because convert_to is STABLE: PostgreSQL inlines a SQL function only if it is
 *    declared no less volatile than its body, and the inlined digest cost 0.6 µs an id
 *    against 1.7 µs for the function call (200k ids, measured locally).
 * 2. Existing claims are converted in place (same table, same daily partitions, same primary
 *    key shape), so every id claimed before the upgrade stays claimed and the partition
 *    maintenance (epoch roll, expiry by DROP) is unchanged. The column is also renamed, so an
 *    aggregator of the previous release still running against this schema fails with 42703
 *    (undefined column): it classifies that as transient and retries without applying
 *    anything, instead of claiming ids in a form the new release would not recognise.
 *    The conversion rewrites the claims and their index under ACCESS EXCLUSIVE, so batches wait
 *    until it ends: 11 s per million claims on the shared 2-core development machine. Kafka
 *    keeps what arrives meanwhile (the ingest worker's backpressure holds consumption). A store
 *    of billions of claims would rather convert in the background while claims check both
 *    forms; not needed at this project's volumes, so not built.
 * 3. applied_at goes: nothing read it, and each claim paid for its default.
 * 4. channel_stats_participants_idx goes: no query filters or sorts channels by participants,
 *    and because `participants` changes in every upsert, that index made every update of a
 *    channel row a non-HOT update writing all four of the table's indexes.
 * 5. Room on each page for the new row versions the batches write, so updates can stay
 *    heap-only (HOT: no index entry written). event_stats (five indexes) gets fillfactor 50:
 *    a batch updates each of its events twice (upsert, derived figures) and neither old version
 *    can be pruned before the batch commits. channel_stats, updated once per batch, gets 80.
 *    timeline_data keeps 100: most of its rows are past hours that are read, never updated
 *    again, and a sparser table would slow the year-long timeline reads.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION message_claim_key(message_id text) RETURNS bytea
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $$ SELECT substr(sha256(convert_to(message_id, 'UTF8')), 1, 16) $$`.execute(db)
  await sql`ALTER TABLE processed_messages DROP COLUMN applied_at`.execute(db)
  await sql`ALTER TABLE processed_messages RENAME COLUMN message_id TO claim_key`.execute(db)
  await sql`ALTER TABLE processed_messages ALTER COLUMN claim_key TYPE bytea USING message_claim_key(claim_key)`.execute(db)
  await sql`DROP INDEX channel_stats_participants_idx`.execute(db)
  await sql`ALTER TABLE event_stats SET (fillfactor = 50)`.execute(db)
  await sql`ALTER TABLE channel_stats SET (fillfactor = 80)`.execute(db)
}

/** Claims cannot be turned back into ids: down() refuses rather than forget what was applied. */
export async function down(): Promise<void> {
  throw new Error('0007_compact_claims is forward-only: claim keys are digests and cannot be turned back into message ids')
}
