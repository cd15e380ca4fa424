import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * `asOf` is never in the future, and the pipeline's own delay is kept apart from the data's age
 * (docs/SPEC.md section 9). Frozen once released.
 *
 * 1. An input dated ahead (occurredAt up to 24 h in the future is valid, SPEC section 3) counts
 *    as of the commit that applied it: from this release the writers keep `last_occurred_at`
 *    as GREATEST(stored, LEAST(input time, commit time)). Stored future values are clamped here
 *    to the row's `updated_at`: every write sets it, so the future input was applied at or
 *    before it, and it is never in the future itself.
 * 2. event_stats.last_committed_at: when the newest batch that applied messages of the event
 *    wrote them (channel-metrics snapshots do not set it). last_ingest_read_at: when the ingest
 *    worker read the earliest of those messages from Kafka; NULL when the batch's jobs did not
 *    say (enqueued by an ingest worker older than the `readAt` job field). Their difference is
 *    the pipeline's own delay. Both start NULL: no earlier commit recorded them.
 *
 * Nullable columns without a default are catalog changes (no table rewrite); the clamp
 * updates only the rows dated ahead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE event_stats SET last_occurred_at = LEAST(updated_at, now())
    WHERE last_occurred_at > LEAST(updated_at, now())`.execute(db)
  await sql`
    UPDATE channel_stats SET last_occurred_at = LEAST(updated_at, now())
    WHERE last_occurred_at > LEAST(updated_at, now())`.execute(db)
  await sql`
    ALTER TABLE event_stats
      ADD COLUMN last_committed_at timestamptz,
      ADD COLUMN last_ingest_read_at timestamptz`.execute(db)
}

/** The clamp stays: the future values it replaced are not kept anywhere. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE event_stats DROP COLUMN last_ingest_read_at, DROP COLUMN last_committed_at`.execute(db)
}
