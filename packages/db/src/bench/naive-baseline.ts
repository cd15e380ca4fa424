/**
 * BENCHMARK ONLY — never used by a service.
 *
 * The deliberately naive baseline of packages/bench: the seed's style of one BullMQ job and
 * ONE statement per message, with no batching, no folding and no exactly-once claim. It
 * exists so the benchmark can show what the real pipeline (batched, folded, one transaction
 * per batch) buys. It writes only event_stats (less work per message than the real
 * pipeline, which also writes channels and hourly buckets), so the comparison favours it.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'

export interface NaiveEventCreated {
  readonly eventId: string
  readonly userId: string
  readonly title: string
  readonly occurredAt: Date
}

/** One statement: create or describe the event row. */
export async function naiveApplyEventCreated(db: Kysely<Database>, event: NaiveEventCreated): Promise<void> {
  await db
    .insertInto('event_stats')
    .values({ event_id: event.eventId, user_id: event.userId, title: event.title, event_created_at: event.occurredAt })
    .onConflict((oc) =>
      oc.column('event_id').doUpdateSet({
        user_id: event.userId,
        title: event.title,
        event_created_at: event.occurredAt,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute()
}

/** One statement per participant: increment the event's counter (creating the row if needed). */
export async function naiveApplyParticipant(db: Kysely<Database>, eventId: string): Promise<void> {
  await db
    .insertInto('event_stats')
    .values({ event_id: eventId, total_participants: 1 })
    .onConflict((oc) =>
      oc.column('event_id').doUpdateSet({
        total_participants: sql<number>`event_stats.total_participants + 1`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute()
}
