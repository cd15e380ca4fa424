import { Migrator } from 'kysely/migration'
import type { Kysely } from 'kysely'
import { ensureDatabaseExists } from './admin.js'
import { closeDb, createDb } from './client.js'
import { runDedupeMaintenance } from './maintenance.js'
import { migrationProvider } from './migrations/index.js'
import { addUtcMonths, utcMonthStart } from './partitions/calendar.js'
import type { DdlLogger } from './partitions/ddl.js'
import { ensureTimelinePartitions } from './partitions/timeline.js'
import type { Database } from './schema/types.js'

export interface MigrateOptions {
  logger?: DdlLogger
}

/**
 * Applies every pending migration (in one transaction, under Kysely's advisory migration
 * lock, so concurrent runs are safe). Returns the names applied; empty when up to date.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, options: MigrateOptions = {}): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider })
  const { error, results = [] } = await migrator.migrateToLatest()
  const failed = results.find((result) => result.status === 'Error')
  if (error !== undefined) {
    const where = failed === undefined ? '' : ` in ${failed.migrationName}`
    throw new Error(`migration failed${where}: ${String(error)}`, { cause: error })
  }
  const applied = results.filter((result) => result.status === 'Success').map((result) => result.migrationName)
  options.logger?.info({ applied }, applied.length === 0 ? 'schema up to date' : 'migrations applied')
  return applied
}

export interface PartitionWindowOptions extends MigrateOptions {
  /** Monthly timeline partitions created before the current month (default 12). */
  monthsBack?: number
  /** Monthly timeline partitions created after the current month (default 3). */
  monthsAhead?: number
}

/**
 * Ahead-of-time partitions: timeline months around `now`, today's and tomorrow's dedupe
 * partitions (via the epoch roll). Run at migrate time and from periodic maintenance; months
 * outside the window are still created on demand by the aggregator.
 */
export async function ensurePartitionWindow(db: Kysely<Database>, now: Date, options: PartitionWindowOptions = {}): Promise<void> {
  const month = utcMonthStart(now)
  const from = addUtcMonths(month, -(options.monthsBack ?? 12))
  const to = addUtcMonths(month, options.monthsAhead ?? 3)
  const created = await ensureTimelinePartitions(db, from, to, options)
  const { epoch } = await runDedupeMaintenance(db, now, options)
  options.logger?.info({ createdTimelinePartitions: created.length, dedupeDay: epoch.currentDay }, 'partition window ready')
}

/**
 * What `pnpm migrate` does: create the database if missing, migrate to latest, create the
 * partition window. Idempotent.
 */
export async function setupDatabase(url: string, options: PartitionWindowOptions & { now?: Date } = {}): Promise<void> {
  if (await ensureDatabaseExists(url)) options.logger?.info({}, 'database created')
  const db = createDb(url, { poolSize: 2, applicationName: 'event-analytics-migrate' })
  try {
    await migrateToLatest(db, options)
    await ensurePartitionWindow(db, options.now ?? new Date(), options)
  } finally {
    await closeDb(db)
  }
}
