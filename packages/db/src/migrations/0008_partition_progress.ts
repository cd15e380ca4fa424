import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * Where each ingest consumer group last committed each partition, as the ingest worker saw it.
 * Kafka keeps the same figure, but Kafka can be replaced (a fresh cluster, a recreated topic, an
 * offset reset) while PostgreSQL stays: the copy here is what tells the worker that a partition's
 * offsets went backwards, across restarts too. Only a detector: exactly-once rests on the claims
 * and on job ids that name their messages, never on this table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('partition_progress')
    .addColumn('group_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('topic', 'varchar(255)', (c) => c.notNull())
    .addColumn('partition', 'integer', (c) => c.notNull())
    .addColumn('committed_offset', 'bigint', (c) => c.notNull())
    .addColumn('committed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('partition_progress_pkey', ['group_id', 'topic', 'partition'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('partition_progress').execute()
}
