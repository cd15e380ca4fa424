import type { Kysely } from 'kysely'

/*
 * The webhook dispatcher pairs each alert transition with its owner's live endpoints, every few
 * seconds for the recent ones and on a slower sweep for all of them (queries/webhook-deliveries.ts).
 * The outbox is append-only and grows with every alert that opens or resolves, while the
 * endpoints are few: this index lets both passes start from the endpoints and read only their
 * owners' transitions from each endpoint's creation (or the recent window) on, instead of
 * scanning the whole outbox on every pass.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('alert_transitions_owner_time_idx').on('alert_transitions').columns(['user_id', 'occurred_at']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('alert_transitions_owner_time_idx').execute()
}
