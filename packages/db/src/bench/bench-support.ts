/**
 * BENCHMARK ONLY — never used by a service.
 *
 * Seeding and progress probes for packages/bench: a visible event with a year of hourly
 * timeline rows written directly (no pipeline), and the counters the benchmark polls to see
 * when produced messages have become visible in the tables.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { dedupePartitionName } from '../partitions/calendar.js'
import { ensureDedupePartition } from '../partitions/dedupe.js'
import { refreshEventFigures } from '../queries/event-figures.js'
import type { Database } from '../schema/types.js'

export interface BenchSeedEvent {
  readonly eventId: string
  readonly userId: string
  readonly title: string
  readonly createdAt: Date
}

/** A visible event row (event_created_at set) with plausible figures. */
export async function seedBenchEvent(db: Kysely<Database>, event: BenchSeedEvent): Promise<void> {
  await db
    .insertInto('event_stats')
    .values({
      event_id: event.eventId,
      user_id: event.userId,
      title: event.title,
      event_created_at: event.createdAt,
      own_investment: '1500000.00',
      expected_revenue: '3000000.00',
      expected_participants: 1000,
      target_roi: '100.00',
    })
    .execute()
  // Its figures stored as the aggregator stores them (docs/SPEC.md section 6, migration 0006).
  await refreshEventFigures(db, [event.eventId])
}

export interface BenchTimelineRow {
  readonly timestamp: Date
  readonly participants: number
  readonly views: number
}

/**
 * Inserts hourly rows (start of UTC hours) with a running cumulative_participants, in chunks
 * so one statement stays under PostgreSQL's bind-parameter limit. Partitions must exist.
 */
export async function seedBenchTimeline(db: Kysely<Database>, eventId: string, rows: readonly BenchTimelineRow[]): Promise<void> {
  let cumulative = 0
  const values = rows.map((row) => {
    cumulative += row.participants
    return {
      event_id: eventId,
      timestamp: row.timestamp,
      participants: row.participants,
      views: row.views,
      engagement: Math.floor(row.views / 10),
      conversions: Math.floor(row.participants / 4),
      cumulative_participants: cumulative,
    }
  })
  const chunk = 1000
  for (let start = 0; start < values.length; start += chunk) {
    await db
      .insertInto('timeline_data')
      .values(values.slice(start, start + chunk))
      .execute()
  }
  await sql`ANALYZE timeline_data`.execute(db)
}

export interface BenchVisibleCounts {
  /** Sum of total_participants over every event row. */
  participants: number
  /** Event rows whose EventCreated has been applied. */
  createdEvents: number
}

/** What the tables show so far; the benchmark polls this to time the pipeline. */
export async function readBenchVisibleCounts(db: Kysely<Database>): Promise<BenchVisibleCounts> {
  const row = await db
    .selectFrom('event_stats')
    .select((eb) => [
      sql<number>`coalesce(sum(total_participants), 0)::bigint`.as('participants'),
      eb.fn.count<number>('event_created_at').as('createdEvents'),
    ])
    .executeTakeFirstOrThrow()
  return { participants: Number(row.participants), createdEvents: Number(row.createdEvents) }
}

/** Registrations still in the log, not yet folded into event_participants (docs/SPEC.md 9a). */
export async function readBenchUnfoldedRegistrations(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{
    n: string
  }>`SELECT coalesce(sum(cardinality(event_ids)), 0)::bigint AS n FROM participant_registrations`.execute(db)
  return Number(rows[0]?.n ?? 0)
}

/** Channel rows for the seeded event, so the dashboard body has a realistic size. */
export async function seedBenchChannels(db: Kysely<Database>, eventId: string, names: readonly string[]): Promise<void> {
  await db
    .insertInto('channel_stats')
    .values(
      names.map((name, index) => ({
        event_id: eventId,
        channel_name: name,
        channel_type: (['TV', 'SNS', 'VOICE'] as const)[index % 3],
        participants: 1000 * (index + 1),
        distribution_count: 1,
        distribution_cost: '250000.00',
        impressions: 90_000,
        views: 40_000,
        clicks: 5_000,
        conversions: 700,
      })),
    )
    .execute()
}

/**
 * Fills the dedupe partitions of `days` (older than the epoch) with `perDay` random claims
 * each, so a profile's check against older days meets populated partitions as in production, and
 * records each day closed at its end.
 */
export async function seedBenchOlderClaims(db: Kysely<Database>, days: readonly string[], perDay: number): Promise<void> {
  for (const day of days) {
    await ensureDedupePartition(db, day)
    await sql`
      INSERT INTO processed_messages (claim_key, dedupe_day)
      SELECT message_claim_key(gen_random_uuid()::text), ${day}::date FROM generate_series(1, ${perDay}::integer)`.execute(db)
    // Closed when the day ended, as the epoch's roll at midnight would have.
    await sql`INSERT INTO dedupe_closures (day, closed_at) VALUES (${day}::date, (${day}::date + 1)::timestamp AT TIME ZONE 'UTC')
      ON CONFLICT (day) DO NOTHING`.execute(db)
  }
  await sql`ANALYZE processed_messages`.execute(db)
}

export interface BenchUpdateStats {
  readonly table: string
  readonly updates: number
  /** Heap-only updates: no index entry written. */
  readonly hotUpdates: number
}

/** Updates and HOT updates per projection table (timeline partitions summed), as the statistics collector last saw them. */
export async function readBenchUpdateStats(db: Kysely<Database>): Promise<BenchUpdateStats[]> {
  const result = await sql<{ table: string; updates: string; hot_updates: string }>`
    SELECT CASE WHEN relname LIKE 'timeline_data%' THEN 'timeline_data' ELSE relname END AS table,
           sum(n_tup_upd) AS updates, sum(n_tup_hot_upd) AS hot_updates
    FROM pg_stat_user_tables
    WHERE relname IN ('event_stats', 'channel_stats') OR relname LIKE 'timeline_data%'
    GROUP BY 1 ORDER BY 1`.execute(db)
  return result.rows.map((row) => ({ table: row.table, updates: Number(row.updates), hotUpdates: Number(row.hot_updates) }))
}

/**
 * Empties the current epoch day's claims (its partition, truncated), so each round of the claim
 * profile starts from the same state while the older days' claims stay.
 */
export async function resetBenchCurrentClaims(db: Kysely<Database>): Promise<void> {
  const epoch = await db.selectFrom('dedupe_epoch').select('current_day').executeTakeFirstOrThrow()
  await sql`TRUNCATE ${sql.table(dedupePartitionName(epoch.current_day))}`.execute(db)
}
