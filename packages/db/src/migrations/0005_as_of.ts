import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * `asOf` of the API's views: when the newest applied input of an event or a
 * channel happened. Kept by the writers as GREATEST of the stored value and the occurredAt of
 * the messages (or the asOf of the channel-metrics snapshot) they apply, so reading it costs
 * nothing: it is already in the row every view reads. Frozen once released.
 *
 * Adding a nullable column without a default is a catalog change (no rewrite). The backfill is
 * a lower bound from what the rows remember (participants' exact times are not stored, only
 * their UTC hour: the hour's start stands for them); rows written after this migration are exact.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('event_stats').addColumn('last_occurred_at', 'timestamptz').execute()
  await db.schema.alterTable('channel_stats').addColumn('last_occurred_at', 'timestamptz').execute()
  await sql`
    UPDATE channel_stats SET last_occurred_at = metrics_as_of WHERE metrics_as_of IS NOT NULL`.execute(db)
  await sql`
    UPDATE event_stats AS e
    SET last_occurred_at = GREATEST(e.event_created_at, e.status_changed_at,
      (SELECT max(c.metrics_as_of) FROM channel_stats AS c WHERE c.event_id = e.event_id),
      (SELECT max(t."timestamp") FROM timeline_data AS t WHERE t.event_id = e.event_id))`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('channel_stats').dropColumn('last_occurred_at').execute()
  await db.schema.alterTable('event_stats').dropColumn('last_occurred_at').execute()
}
