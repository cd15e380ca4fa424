import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * Circuit-breaker state of each external channel-metrics provider (docs/SPEC.md section 7), written by
 * the aggregator on breaker transitions, read by the query API (another process) to mark the
 * channels of a provider that is not healthy as stale. Frozen once released.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('provider_health')
    .addColumn('channel_type', 'varchar(5)', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('provider_health_channel_type_check', sql`channel_type IN ('TV', 'SNS', 'VOICE')`)
    .addCheckConstraint('provider_health_state_check', sql`state IN ('closed', 'half-open', 'open')`)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('provider_health').execute()
}
