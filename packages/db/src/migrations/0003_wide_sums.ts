import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * Accumulated money and derived figures get columns wide enough for the largest valid inputs
 * over an event's life. Frozen once released.
 *
 * The bound: one message carries at most decimal(15,2), i.e. 9,999,999,999,999.99 < 10^13, and
 * a distribution names at most 50 channels. An event is assumed to receive fewer than 2^53
 * messages: its counters are read into JS safe integers (the db client throws past 2^53), so
 * that is the most the system can report anyway. A tighter 2^31-message assumption would buy
 * nothing: numeric stores the digits a value has, not its declared precision.
 *
 * - Sums of distribution costs (event and channel), and total_investment = own + those:
 *   < 50 x 2^53 x 10^13 ~ 4.5 x 10^30 -> 31 integer digits -> numeric(33,2).
 * - estimated_revenue = expectedRevenue x participants / expectedParticipants, largest with
 *   expectedParticipants = 1: < 10^13 x 2^53 ~ 9.0 x 10^28 -> fits numeric(33,2) too.
 * - estimated_roi (signed percent), largest with the smallest non-zero investment 0.01:
 *   < 9.0 x 10^28 / 0.01 x 100 ~ 9.0 x 10^32 -> 33 integer digits -> numeric(35,2). Its floor
 *   is -100.00.
 * - Counters (participants, distribution_count, views, ...) are bigint since 0001: 50 x 2^53
 *   < 2^63. timeline_data holds only bigint counters, so the partitioned table is untouched.
 * - Values a single message sets (own_investment, expected_revenue, target_roi,
 *   sales_growth_rate, expected_participants) and the snapshot's average_duration_sec keep
 *   their seed types: decimal(15,2) stays the bound of one message's value.
 *
 * Fixed precisions rather than unconstrained numeric: the column keeps scale 2 (the API's
 * two-digit strings), and raising a numeric's precision at the same scale needs no table
 * rewrite in PostgreSQL (the test checks the relfilenode); at most the re-created CHECKs are
 * verified by one read pass, under the ALTER's ACCESS EXCLUSIVE lock.
 */

const SUM_OF_MONEY = 'numeric(33, 2)'
const ROI_PERCENT = 'numeric(35, 2)'

const WIDENED: readonly (readonly [table: string, column: string, type: string])[] = [
  ['event_stats', 'distribution_cost', SUM_OF_MONEY],
  ['event_stats', 'total_investment', SUM_OF_MONEY],
  ['event_stats', 'estimated_revenue', SUM_OF_MONEY],
  ['event_stats', 'estimated_roi', ROI_PERCENT],
  ['channel_stats', 'distribution_cost', SUM_OF_MONEY],
]

/** The types 0001 created, for down(). */
const ORIGINAL: Readonly<Record<string, string>> = {
  'event_stats.distribution_cost': 'numeric(15, 2)',
  'event_stats.total_investment': 'numeric(15, 2)',
  'event_stats.estimated_revenue': 'numeric(15, 2)',
  'event_stats.estimated_roi': 'numeric(20, 2)',
  'channel_stats.distribution_cost': 'numeric(15, 2)',
}

async function retype(db: Kysely<unknown>, table: string, columns: readonly (readonly [string, string])[]): Promise<void> {
  // One ALTER TABLE per table: one lock acquisition, one pass over the catalog.
  const clauses = columns.map(([column, type]) => sql`ALTER COLUMN ${sql.ref(column)} TYPE ${sql.raw(type)}`)
  await sql`ALTER TABLE ${sql.table(table)} ${sql.join(clauses)}`.execute(db)
}

function byTable(pick: (table: string, column: string, type: string) => string): Map<string, [string, string][]> {
  const tables = new Map<string, [string, string][]>()
  for (const [table, column, type] of WIDENED) {
    tables.set(table, [...(tables.get(table) ?? []), [column, pick(table, column, type)]])
  }
  return tables
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, columns] of byTable((_table, _column, type) => type)) await retype(db, table, columns)
}

/** Fails (numeric field overflow) rather than truncating when a stored value no longer fits. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table, columns] of byTable((table, column) => ORIGINAL[`${table}.${column}`]!)) await retype(db, table, columns)
}
