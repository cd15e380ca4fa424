import type { Kysely } from 'kysely'

/*
 * When the dedupe epoch rolled past each day. The roll takes its lock only once every batch that
 * claimed into the day has committed, and `closed_at` is the database's clock under that lock, so
 * every claim of the day was written before it. A message's occurredAt is at most 24 h past the
 * moment the ingest worker first read it (later is a dead letter), so a message dated recently
 * cannot have been claimed on a day closed long before: the claim skips those days' partitions
 * for it (see claimMessages). A day without a row (the current one, or one closed before this
 * migration) is always probed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dedupe_closures')
    .addColumn('day', 'date', (c) => c.primaryKey())
    .addColumn('closed_at', 'timestamptz', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dedupe_closures').execute()
}
