import { sql } from 'kysely'
/**
 * Projection sets: every table the pipeline derives from the Kafka log, once per set, each set a
 * PostgreSQL schema (migration 0014). `public` is the set the migrations created.
 */

/** The set the migrations created; live until an operator switches. */
export const PUBLIC_SET = 'public'

/**
 * The tables of a set, in creation order: the projections, the exactly-once bookkeeping that
 * belongs to them (claims, settlements, failures, the ingest group's progress) and the returning
 * participants. Everything else (alerts and their outbox, webhooks, provider health, alert
 * settings) lives once, in public: a rebuild must never send a webhook again.
 */
export const SET_TABLES = [
  'event_stats',
  'channel_stats',
  'timeline_data',
  'processed_messages',
  'dedupe_epoch',
  'dedupe_closures',
  'settled_jobs',
  'apply_failures',
  'partition_progress',
  'participant_registrations',
  'event_participants',
  'returning_progress',
] as const

/** Partitioned tables of a set: created empty and partitioned like public's; partitions are made by name per set. */
export const PARTITIONED_SET_TABLES: Readonly<Record<string, string>> = {
  timeline_data: 'RANGE ("timestamp")',
  processed_messages: 'RANGE (dedupe_day)',
}

/**
 * Functions whose body is standard SQL (BEGIN ATOMIC / RETURN) and names a set table: PostgreSQL
 * binds those references when the function is created, not through search_path, so each set has its
 * own copy (created from public's current definition), found first on the set's search_path.
 * Dependencies first. db/test/projection-sets.test.ts fails if public gains one not listed here.
 */
export const SET_BOUND_FUNCTIONS = ['figures_total_views', 'figures_refresh_events'] as const

const SET_NAME = /^[a-z][a-z0-9_]{0,47}$/

/** Throws unless `name` is a usable set (schema) name: lower-case letters, digits, underscores. */
export function assertSetName(name: string): string {
  if (!SET_NAME.test(name) || name.startsWith('pg_')) {
    throw new RangeError(`projection set name must match ${String(SET_NAME)} and not start with pg_: "${name}"`)
  }
  return name
}

/** The search_path of a process writing or reading `set`: the set first, public behind it for the shared tables. */
export function searchPathOf(set: string): string {
  return set === PUBLIC_SET ? PUBLIC_SET : `${assertSetName(set)}, ${PUBLIC_SET}`
}

/** A fresh set name for a rebuild started at `now`: rebuild_YYYYMMDD_HHMM. */
export function rebuildSetName(now: Date): string {
  const iso = now.toISOString()
  return `rebuild_${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 16).replace(':', '')}`
}

/**
 * An advisory lock key scoped to the set of the connection (its current schema): `key` itself in
 * public, as before projection sets, and a key derived from the set's name elsewhere, so a rebuild's
 * fold or partition DDL never makes the live pipeline's wait or skip.
 */
export function setScopedLockKey(key: bigint | number) {
  return sql<string>`(CASE WHEN current_schema() = 'public' THEN ${String(key)}::bigint
    ELSE hashtextextended(current_schema(), ${String(key)}::bigint) END)`
}
