/**
 * The hot-path side of returning participants (docs/SPEC.md section 9a; tables of migration
 * 0011): the batch transaction appends its registrations to a log, and when it learns an event's
 * owner it names the owner's events, whose new/returning split may change (to invalidate them).
 */
import { sql } from 'kysely'
import type { Transaction, Kysely } from 'kysely'
import type { Database } from '../schema/types.js'
import { numberArrayLiteral, textArrayLiteral } from '../array-literal.js'

/** A participant's earliest registration in one event among a batch's messages. */
export interface ParticipationDelta {
  readonly eventId: string
  readonly participantId: string
  readonly channelName: string | null
  readonly registeredAt: Date
}

/**
 * Appends `rows` to the registration log inside the batch transaction (with the claims: each
 * applied registration exactly once), as one row of parallel arrays: one tuple per batch, not
 * per registration. The fold job (fold-registrations.ts) unnests and moves them on. Times travel
 * as epoch milliseconds: the driver's Date-to-text conversion of a timestamptz[] costs more. The
 * arrays go as literals built in array-literal.ts, cheaper than the driver's per element.
 */
export async function appendRegistrations(trx: Transaction<Database>, rows: readonly ParticipationDelta[]): Promise<void> {
  if (rows.length === 0) return
  await sql`INSERT INTO participant_registrations (event_ids, participant_ids, channel_names, registered_ms)
    VALUES (${textArrayLiteral(rows.map((r) => r.eventId))}::varchar[], ${textArrayLiteral(rows.map((r) => r.participantId))}::text[],
      ${textArrayLiteral(rows.map((r) => r.channelName))}::varchar[], ${numberArrayLiteral(rows.map((r) => r.registeredAt.getTime()))}::float8[])`.execute(
    trx,
  )
}

/** Every visible event of `userIds`, with its owner. */
export async function readOwnersEvents(
  db: Kysely<Database> | Transaction<Database>,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('event_stats')
    .select(['event_id', 'user_id'])
    .where('user_id', '=', sql<string>`ANY(${[...new Set(userIds)]}::varchar[])`)
    .where('event_created_at', 'is not', null)
    .execute()
  return new Map(rows.map((row) => [row.event_id, row.user_id ?? '']))
}
