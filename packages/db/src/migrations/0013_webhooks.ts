import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * Webhook endpoints the owners register and one delivery row per (alert transition, endpoint):
 * PostgreSQL is the outbox of what must be delivered and the log of what was. The delivery
 * queue (BullMQ) only schedules attempts; a wiped Redis is rebuilt from the rows that are
 * neither delivered nor given up. No foreign key to alert_transitions: its rows are
 * append-only and the delivery keeps the transition id as its idempotency key.
 *
 * The secret is a signing key (HMAC-SHA256, Standard Webhooks), so it is stored as the key
 * itself: a hash could not sign. A deleted endpoint keeps its row (deleted_at) so its delivery
 * log stays readable; nothing is delivered to it any more.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('webhook_endpoints_user_idx').on('webhook_endpoints').columns(['user_id']).execute()
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('transition_id', 'bigint', (c) => c.notNull())
    .addColumn('endpoint_id', 'bigint', (c) => c.notNull().references('webhook_endpoints.id'))
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('leased_until', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('given_up_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('webhook_deliveries_transition_endpoint_key', ['transition_id', 'endpoint_id'])
    .execute()
  await db.schema.createIndex('webhook_deliveries_user_idx').on('webhook_deliveries').columns(['user_id', 'id']).execute()
  // The sweeper's scan: only what still has to be delivered.
  await sql`CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (next_attempt_at)
            WHERE delivered_at IS NULL AND given_up_at IS NULL`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute()
  await db.schema.dropTable('webhook_endpoints').execute()
}
