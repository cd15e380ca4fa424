import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * The event's schedule (event-created writer schema v2, docs/SPEC.md section 9a): when the
 * campaign starts and ends. NULL when the winning EventCreated gave none (v1 writers), and
 * never invented. Pacing (queries/read-pacing.ts) reads it. Frozen once released.
 *
 * Nullable columns without a default are catalog changes (no table rewrite); the CHECK repeats
 * the ingest worker's rule (endsAt after startsAt) and is checked at once, every row being NULL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE event_stats
      ADD COLUMN starts_at timestamptz,
      ADD COLUMN ends_at timestamptz,
      ADD CONSTRAINT event_stats_schedule_order CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE event_stats DROP CONSTRAINT event_stats_schedule_order, DROP COLUMN ends_at, DROP COLUMN starts_at`.execute(db)
}
