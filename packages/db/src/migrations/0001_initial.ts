import { sql } from 'kysely'
import type { CreateTableBuilder, Kysely } from 'kysely'
import { addDays, dedupePartitionName, utcDay } from '../partitions/calendar.js'

/*
 * Initial schema. Frozen once released: change the schema with a new migration, never here.
 * Decisions and deviations from the seed ERD are explained in packages/db/README.md.
 */

type Builder = CreateTableBuilder<string, string>

/** One named CHECK per column, so a violation names the offending column. */
function nonNegative(builder: Builder, table: string, columns: readonly string[]): Builder {
  return columns.reduce((next, column) => next.addCheckConstraint(`${table}_${column}_non_negative`, sql`${sql.ref(column)} >= 0`), builder)
}

function timestamps(builder: Builder): Builder {
  return builder
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
}

const money = 'numeric(15, 2)'
const rate = 'numeric(10, 2)'

async function createEventStats(db: Kysely<unknown>): Promise<void> {
  let table: Builder = db.schema
    .createTable('event_stats')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('user_id', 'varchar(36)')
    .addColumn('title', 'varchar(255)')
    .addColumn('status', 'varchar(10)', (c) => c.notNull().defaultTo('ACTIVE'))
    .addColumn('status_changed_at', 'timestamptz')
    .addColumn('event_created_at', 'timestamptz')
    .addColumn('own_investment', money, (c) => c.notNull().defaultTo(0))
    .addColumn('distribution_cost', money, (c) => c.notNull().defaultTo(0))
    .addColumn('total_investment', money, (c) => c.notNull().defaultTo(0))
    .addColumn('expected_revenue', money, (c) => c.notNull().defaultTo(0))
    .addColumn('expected_participants', 'integer')
    .addColumn('target_roi', rate, (c) => c.notNull().defaultTo(0))
    .addColumn('sales_growth_rate', rate)
    .addColumn('total_participants', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_views', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('estimated_revenue', money, (c) => c.notNull().defaultTo(0))
    // Signed and wider than money: a losing campaign has a negative ROI, and a tiny
    // investment can make the percentage exceed numeric(10,2).
    .addColumn('estimated_roi', 'numeric(20, 2)', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('event_stats_status_check', sql`status IN ('ACTIVE', 'ENDED', 'ARCHIVED')`)
  table = timestamps(table)
  table = nonNegative(table, 'event_stats', [
    'own_investment',
    'distribution_cost',
    'total_investment',
    'expected_revenue',
    'expected_participants',
    'total_participants',
    'total_views',
    'estimated_revenue',
  ])
  await table.execute()
  for (const column of ['user_id', 'status', 'created_at']) {
    await db.schema.createIndex(`event_stats_${column}_idx`).on('event_stats').column(column).execute()
  }
}

const channelCounters = [
  'participants',
  'distribution_count',
  'impressions',
  'views',
  'clicks',
  'conversions',
  'likes',
  'comments',
  'shares',
  'total_calls',
  'completed_calls',
] as const

async function createChannelStats(db: Kysely<unknown>): Promise<void> {
  let table: Builder = db.schema
    .createTable('channel_stats')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('channel_name', 'varchar(50)', (c) => c.notNull())
    .addColumn('channel_type', 'varchar(5)')
  for (const counter of channelCounters) {
    table = table.addColumn(counter, 'bigint', (c) => c.notNull().defaultTo(0))
  }
  table = table
    .addColumn('distribution_cost', money, (c) => c.notNull().defaultTo(0))
    .addColumn('average_duration_sec', rate, (c) => c.notNull().defaultTo(0))
    .addColumn('metrics_as_of', 'timestamptz')
    // Its B-tree also serves every lookup by event_id alone (leading column), which is why
    // the seed's separate event_id index is not created.
    .addUniqueConstraint('channel_stats_event_channel_key', ['event_id', 'channel_name'])
    .addCheckConstraint('channel_stats_channel_type_check', sql`channel_type IN ('TV', 'SNS', 'VOICE')`)
    .addCheckConstraint('channel_stats_calls_check', sql`completed_calls <= total_calls`)
  table = timestamps(table)
  table = nonNegative(table, 'channel_stats', [...channelCounters, 'distribution_cost', 'average_duration_sec'])
  await table.execute()
  for (const column of ['channel_type', 'participants']) {
    await db.schema.createIndex(`channel_stats_${column}_idx`).on('channel_stats').column(column).execute()
  }
}

const timelineCounters = ['participants', 'views', 'engagement', 'conversions', 'cumulative_participants'] as const

async function createTimelineData(db: Kysely<unknown>): Promise<void> {
  let table: Builder = db.schema
    .createTable('timeline_data')
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
  for (const counter of timelineCounters) {
    table = table.addColumn(counter, 'bigint', (c) => c.notNull().defaultTo(0))
  }
  table = timestamps(table)
    // The primary key's B-tree is the (event_id, timestamp) index of the seed; it is
    // created on every partition.
    .addPrimaryKeyConstraint('timeline_data_pkey', ['event_id', 'timestamp'])
    .addCheckConstraint(
      'timeline_data_hour_check',
      sql`date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') = "timestamp" AT TIME ZONE 'UTC'`,
    )
    .modifyEnd(sql`PARTITION BY RANGE ("timestamp")`)
  table = nonNegative(table, 'timeline_data', timelineCounters)
  await table.execute()
  // Created on the parent, so PostgreSQL builds it on every partition, present and future.
  await db.schema.createIndex('timeline_data_timestamp_brin').on('timeline_data').using('brin').column('timestamp').execute()
  // Catches rows of months without a partition yet, so no write ever fails for lack of one;
  // creating the month's partition moves them out (partitions/timeline.ts).
  await sql`CREATE TABLE timeline_data_default PARTITION OF timeline_data DEFAULT`.execute(db)
}

async function createDedupe(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('processed_messages')
    .addColumn('message_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('dedupe_day', 'date', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('processed_messages_pkey', ['message_id', 'dedupe_day'])
    .modifyEnd(sql`PARTITION BY RANGE (dedupe_day)`)
    .execute()
  // No DEFAULT partition: claims only ever go into the epoch day's partition, which exists
  // before the epoch points at it, and dropping whole partitions is how ids expire.
  await db.schema
    .createTable('dedupe_epoch')
    .addColumn('singleton', 'boolean', (c) => c.primaryKey().defaultTo(true))
    .addColumn('current_day', 'date', (c) => c.notNull())
    .addCheckConstraint('dedupe_epoch_singleton_check', sql`singleton`)
    .execute()
  const today = utcDay(new Date())
  for (const day of [today, addDays(today, 1)]) {
    await sql`
      CREATE TABLE ${sql.table(dedupePartitionName(day))} PARTITION OF processed_messages
      FOR VALUES FROM (${sql.lit(day)}) TO (${sql.lit(addDays(day, 1))})`.execute(db)
  }
  await sql`INSERT INTO dedupe_epoch (current_day) VALUES (${today})`.execute(db)
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await createEventStats(db)
  await createChannelStats(db)
  await createTimelineData(db)
  await createDedupe(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['dedupe_epoch', 'processed_messages', 'timeline_data', 'channel_stats', 'event_stats']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
