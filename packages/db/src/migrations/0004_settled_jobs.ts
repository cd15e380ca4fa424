import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * The hand-over ledger between the aggregator and the ingest worker (Redis is disposable):
 * a BullMQ job is "settled" once every message in it is applied (its claim committed) or
 * refused by PostgreSQL for good. The aggregator writes the row in the batch transaction (or,
 * after poison isolation, right after it); the ingest worker commits a Kafka offset only
 * once every job below it is settled here, so a job Redis loses is read again from Kafka.
 *
 * apply_failures: the messages of a settled job that PostgreSQL refused (SQLSTATE classes
 * 22/23 after isolation). The ingest worker dead-letters them (APPLY_FAILED) in the same Kafka
 * transaction that commits past their offsets: exactly once. source_offset -1 stands for
 * "every message of the job" (a payload the aggregator could not even read).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settled_jobs')
    .addColumn('job_id', 'varchar(400)', (c) => c.primaryKey())
    .addColumn('settled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('settled_jobs_settled_at_idx').on('settled_jobs').column('settled_at').execute()
  await db.schema
    .createTable('apply_failures')
    .addColumn('job_id', 'varchar(400)', (c) => c.notNull())
    .addColumn('source_offset', 'bigint', (c) => c.notNull())
    .addColumn('message_id', 'varchar(64)')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('apply_failures_pkey', ['job_id', 'source_offset'])
    .execute()
  await db.schema.createIndex('apply_failures_failed_at_idx').on('apply_failures').column('failed_at').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('apply_failures').execute()
  await db.schema.dropTable('settled_jobs').execute()
}
