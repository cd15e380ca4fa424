import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * Returning participants (docs/SPEC.md section 9a), computed off the hot path.
 *
 * participant_registrations: the batch transaction appends its applied registrations here, with
 * its claims (so exactly once), as ONE row of four parallel arrays per batch: no index, no
 * constraint, no conflict to resolve, one tuple (its arrays stored out of line) instead of one per
 * registration, which keeps the apply path's added cost to a single insert.
 *
 * event_participants: one row per (event, participantId), the participant's earliest registration
 * in the event and its channel. Only the fold job writes it (one at a time: an advisory lock),
 * moving the log into it in one transaction and keeping the earliest (occurredAt, channel) pair,
 * a function of the set of registrations, so arrival order and redelivery cannot change it.
 * Whether a participation is new or returning is derived when read (queries/read-returning.ts).
 *
 * returning_progress: when the fold last drained the log; the figures' asOf.
 *
 * The primary key reads one event's participants; the second index finds a participant's other
 * events for the "did they join an earlier event of this owner" probe.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('participant_registrations')
    .addColumn('event_ids', sql`varchar(36)[]`, (c) => c.notNull())
    .addColumn('participant_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('channel_names', sql`varchar(50)[]`, (c) => c.notNull())
    /** Epoch milliseconds (float8: exact below 2^53). */
    .addColumn('registered_ms', sql`float8[]`, (c) => c.notNull())
    .execute()
  // Out of line, uncompressed: random ids barely compress, and the rows live for seconds.
  await sql`ALTER TABLE participant_registrations
    ALTER COLUMN event_ids SET STORAGE EXTERNAL, ALTER COLUMN participant_ids SET STORAGE EXTERNAL,
    ALTER COLUMN channel_names SET STORAGE EXTERNAL, ALTER COLUMN registered_ms SET STORAGE EXTERNAL`.execute(db)
  await db.schema
    .createTable('event_participants')
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull())
    .addColumn('channel_name', 'varchar(50)')
    .addColumn('first_registered_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_participants_pkey', ['event_id', 'participant_id'])
    .execute()
  await db.schema
    .createIndex('event_participants_participant_idx')
    .on('event_participants')
    .columns(['participant_id', 'first_registered_at', 'event_id'])
    .execute()
  await db.schema
    .createTable('returning_progress')
    .addColumn('singleton', 'boolean', (c) =>
      c
        .primaryKey()
        .defaultTo(true)
        .check(sql`singleton`),
    )
    .addColumn('folded_at', 'timestamptz')
    .execute()
  await sql`INSERT INTO returning_progress (singleton, folded_at) VALUES (true, NULL)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE returning_progress, event_participants, participant_registrations`.execute(db)
}
