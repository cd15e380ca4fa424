/**
 * Returning participants (docs/SPEC.md section 9a), derived when read from event_participants
 * (migration 0011, filled by the fold job): exact for every registration committed before the
 * fold's asOf (returning_progress.folded_at), whatever order the messages arrived in, with the
 * owners as they are when read.
 *
 * Definition: a participant's participations across one owner's events are ordered by their
 * earliest registration in each event (occurredAt), ties by event id (bytes). The first one is
 * NEW; every later one is RETURNING (the participant joined an earlier event of the same owner).
 * Only events whose owner is known (event-created applied) take part. A participant is counted
 * once per event, in the channel of its earliest registration there (NULL: none named).
 */
import { sql } from 'kysely'
import type { Kysely, RawBuilder } from 'kysely'
import type { Database } from '../schema/types.js'

export interface ReturningChannelRow {
  /** NULL: participants whose earliest registration named no channel. */
  channel_name: string | null
  new_participants: number
  returning_participants: number
}

export interface EventReturningRow {
  new_participants: number
  returning_participants: number
  /** total_investment / new participants (figures_cost_per: 2 digits, half up); null when none. */
  cost_per_new_participant: string | null
  channels: ReturningChannelRow[]
  /** The fold's asOf: every registration committed before it is counted (null: never folded). */
  as_of: Date | null
}

/** When the fold last drained the registration log. */
export async function readReturningAsOf(db: Kysely<Database>): Promise<Date | null> {
  const row = await db.selectFrom('returning_progress').select('folded_at').executeTakeFirst()
  return row?.folded_at ?? null
}

/** One visible event's split, in total and per channel (channels by name, NULL last). */
export async function readEventReturning(db: Kysely<Database>, eventId: string): Promise<EventReturningRow> {
  // Read first: a fold committing during the reads below only adds what is newer than this asOf.
  const asOf = await readReturningAsOf(db)
  const result = await sql<ReturningChannelRow>`
    WITH event AS (
      SELECT event_id, user_id FROM event_stats WHERE event_id = ${eventId} AND user_id IS NOT NULL
    ), mine AS (
      -- The probe starts from the participant's own earlier participations (the range
      -- participant_id = ?, first_registered_at <= ? of event_participants_participant_idx: a few
      -- rows) and asks each one's owner in a scalar subquery, which PostgreSQL cannot reorder.
      -- Joined instead, the planner picked the other order from a young table's statistics:
      -- every event of the owner probed for every participant (90 s for an event of 4,250
      -- participants among an owner's 200 events).
      SELECT p.channel_name, EXISTS (
        SELECT 1 FROM event_participants AS q
        WHERE q.participant_id = p.participant_id AND q.first_registered_at <= p.first_registered_at
          AND q.event_id <> e.event_id
          AND (q.first_registered_at < p.first_registered_at OR q.event_id COLLATE "C" < e.event_id COLLATE "C")
          AND (SELECT s.user_id FROM event_stats AS s WHERE s.event_id = q.event_id) = e.user_id
      ) AS is_returning
      FROM event AS e JOIN event_participants AS p ON p.event_id = e.event_id
    )
    SELECT channel_name, count(*) FILTER (WHERE NOT is_returning)::bigint AS new_participants,
           count(*) FILTER (WHERE is_returning)::bigint AS returning_participants
    FROM mine GROUP BY channel_name ORDER BY channel_name COLLATE "C" NULLS LAST`.execute(db)
  const channels = result.rows
  const newParticipants = channels.reduce((sum, row) => sum + row.new_participants, 0)
  const returningParticipants = channels.reduce((sum, row) => sum + row.returning_participants, 0)
  return {
    new_participants: newParticipants,
    returning_participants: returningParticipants,
    cost_per_new_participant: await readCostPerNewParticipant(db, eventId, newParticipants),
    channels,
    as_of: asOf,
  }
}

/** total_investment / new participants, as the split reports it (figures_cost_per; null when none). */
export async function readCostPerNewParticipant(db: Kysely<Database>, eventId: string, newParticipants: number): Promise<string | null> {
  const cost = await sql<{ cost: string | null }>`
    SELECT figures_cost_per(total_investment, ${newParticipants}::bigint) AS cost FROM event_stats WHERE event_id = ${eventId}`.execute(db)
  return cost.rows[0]?.cost ?? null
}

/**
 * A token that changes whenever an event's split can: every fold writes returning_progress (a new
 * row version, so a new xmin, whatever it changed), event_participants changes only in a fold, and
 * the only other input, which events the owner has, only grows (an event's owner is learnt once).
 * With the projection set in it, so a switch changes it too. Equal tokens: the split is the same;
 * a reader may keep it. Null when the event is not visible.
 */
export async function readReturningVersion(db: Kysely<Database>, eventId: string): Promise<string | null> {
  const { rows } = await sql<{ version: string }>`
    SELECT ${versionOf(sql`e.user_id`)} AS version
    FROM returning_progress AS p, event_stats AS e WHERE e.event_id = ${eventId}`.execute(db)
  return rows[0]?.version ?? null
}

/** The version over `returning_progress AS p` for the owner `userId` names: the set, the fold's row version, the owner's event count. */
function versionOf(userId: RawBuilder<unknown> | string) {
  return sql<string>`current_schema() || ':' || p.xmin::text || ':'
      || (SELECT count(*) FROM event_stats AS o WHERE o.user_id = ${userId})::text`
}

/**
 * The same token for every event of `userId` at once (readUserEventsReturning): equal tokens, the
 * same owner-wide split and asOf (a fold that empties the log writes returning_progress too).
 */
export async function readOwnerReturningVersion(db: Kysely<Database>, userId: string): Promise<string> {
  const { rows } = await sql<{ version: string }>`SELECT ${versionOf(userId)} AS version FROM returning_progress AS p`.execute(db)
  const version = rows[0]?.version
  if (version === undefined) throw new Error('returning_progress is empty: run the migrations')
  return version
}

export interface OwnerEventReturningRow {
  event_id: string
  new_participants: number
  returning_participants: number
}

export interface OwnerReturning {
  readonly events: ReadonlyMap<string, OwnerEventReturningRow>
  /** As EventReturningRow.as_of. */
  readonly as_of: Date | null
}

/** The split of every visible event of `userId` that has participants (the same definition, owner-wide). */
export async function readUserEventsReturning(db: Kysely<Database>, userId: string): Promise<OwnerReturning> {
  const asOf = await readReturningAsOf(db)
  const result = await sql<OwnerEventReturningRow>`
    SELECT r.event_id, count(*) FILTER (WHERE r.rank = 1)::bigint AS new_participants,
           count(*) FILTER (WHERE r.rank > 1)::bigint AS returning_participants
    FROM (
      SELECT p.event_id, row_number() OVER (
        PARTITION BY p.participant_id ORDER BY p.first_registered_at, p.event_id COLLATE "C") AS rank
      FROM event_participants AS p
      JOIN event_stats AS s ON s.event_id = p.event_id
      WHERE s.user_id = ${userId}
    ) AS r
    GROUP BY r.event_id`.execute(db)
  return { events: new Map(result.rows.map((row) => [row.event_id, row])), as_of: asOf }
}
