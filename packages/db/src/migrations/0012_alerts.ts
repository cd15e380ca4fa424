import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * Owner alerts (docs/SPEC.md section 9a): per-owner thresholds, one row per alert with its
 * open -> resolved life, and the append-only transition log (the outbox webhook delivery reads),
 * plus the per-channel time of the newest participant the silent-channel rule needs.
 *
 * Never duplicated: at most one open alert per (event, rule, channel), enforced by a partial
 * unique index (the evaluator also serialises on an advisory lock and only opens what is not open).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('channel_stats').addColumn('last_participant_at', 'timestamptz').execute()

  await db.schema
    .createTable('alert_settings')
    .addColumn('user_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('channel_silent_enabled', 'boolean', (c) => c.notNull())
    .addColumn('channel_silent_hours', 'integer', (c) => c.notNull())
    .addColumn('channel_cost_high_enabled', 'boolean', (c) => c.notNull())
    .addColumn('channel_cost_factor', sql`numeric(5,2)`, (c) => c.notNull())
    .addColumn('provider_stale_enabled', 'boolean', (c) => c.notNull())
    .addColumn('provider_stale_minutes', 'integer', (c) => c.notNull())
    .addColumn('pace_low_enabled', 'boolean', (c) => c.notNull())
    .addColumn('pace_ratio', sql`numeric(3,2)`, (c) => c.notNull())
    .addColumn('roi_projected_low_enabled', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('alert_settings_silent_hours_check', sql`channel_silent_hours BETWEEN 1 AND 168`)
    .addCheckConstraint('alert_settings_cost_factor_check', sql`channel_cost_factor BETWEEN 1 AND 100`)
    .addCheckConstraint('alert_settings_stale_minutes_check', sql`provider_stale_minutes BETWEEN 5 AND 10080`)
    .addCheckConstraint('alert_settings_pace_ratio_check', sql`pace_ratio > 0 AND pace_ratio <= 1`)
    .execute()

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('channel_name', 'varchar(50)')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addCheckConstraint('alerts_state_check', sql`state IN ('open', 'resolved')`)
    .addCheckConstraint('alerts_resolved_check', sql`(state = 'resolved') = (resolved_at IS NOT NULL)`)
    .execute()
  await sql`CREATE UNIQUE INDEX alerts_one_open ON alerts (event_id, rule, coalesce(channel_name, '')) WHERE state = 'open'`.execute(db)
  await db.schema.createIndex('alerts_event_opened').on('alerts').columns(['event_id', 'opened_at']).execute()

  await db.schema
    .createTable('alert_transitions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('alert_id', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('channel_name', 'varchar(50)')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addCheckConstraint('alert_transitions_state_check', sql`state IN ('open', 'resolved')`)
    .execute()
  // One opening and at most one resolution per alert, whoever writes them.
  await db.schema.createIndex('alert_transitions_once').on('alert_transitions').columns(['alert_id', 'state']).unique().execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('alert_transitions').execute()
  await db.schema.dropTable('alerts').execute()
  await db.schema.dropTable('alert_settings').execute()
  await db.schema.alterTable('channel_stats').dropColumn('last_participant_at').execute()
}
