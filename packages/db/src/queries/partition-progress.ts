/**
 * Each ingest consumer group's last committed offset per partition (migration 0008), written by
 * the ingest worker after every Kafka commit and read when it first meets a partition, so it can
 * tell a partition whose offsets went backwards (a fresh Kafka, a recreated topic, a reset).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'

export interface PartitionOffset {
  readonly topic: string
  readonly partition: number
  /** int64 as a string, as in kafkajs. */
  readonly offset: string
}

/** Overwrites: the newest commit is the position, also when it is lower (a new incarnation). */
export async function recordCommittedOffsets(db: Kysely<Database>, groupId: string, offsets: readonly PartitionOffset[]): Promise<void> {
  if (offsets.length === 0) return
  // Sorted: two workers of one group writing overlapping partitions take the row locks in one order.
  const rows = [...offsets].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
  await db
    .insertInto('partition_progress')
    .columns(['group_id', 'topic', 'partition', 'committed_offset'])
    .expression(
      sql<{ group_id: string; topic: string; partition: number; committed_offset: string }>`SELECT ${groupId}, * FROM unnest(
        ${rows.map((row) => row.topic)}::varchar[], ${rows.map((row) => row.partition)}::int[], ${rows.map((row) => row.offset)}::bigint[])`,
    )
    .onConflict((oc) =>
      oc.columns(['group_id', 'topic', 'partition']).doUpdateSet({
        committed_offset: (eb) => eb.ref('excluded.committed_offset'),
        committed_at: sql`now()`,
      }),
    )
    .execute()
}

/** The offset `groupId` last committed on the partition; undefined when it never did. */
export async function readCommittedOffset(
  db: Kysely<Database>,
  groupId: string,
  topic: string,
  partition: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('partition_progress')
    .select('committed_offset')
    .where('group_id', '=', groupId)
    .where('topic', '=', topic)
    .where('partition', '=', partition)
    .executeTakeFirst()
  return row === undefined ? undefined : String(row.committed_offset)
}
