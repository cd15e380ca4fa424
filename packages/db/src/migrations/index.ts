import type { Migration, MigrationProvider } from 'kysely'
import * as m0001 from './0001_initial.js'
import * as m0002 from './0002_provider_health.js'
import * as m0003 from './0003_wide_sums.js'
import * as m0004 from './0004_settled_jobs.js'
import * as m0005 from './0005_as_of.js'
import * as m0006 from './0006_figures.js'
import * as m0007 from './0007_compact_claims.js'

/**
 * Every migration, imported statically: works the same from src (tsx) and from dist, and
 * bundles cleanly, unlike FileMigrationProvider's directory scan. Append new ones here.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_initial': m0001,
  '0002_provider_health': m0002,
  '0003_wide_sums': m0003,
  '0004_settled_jobs': m0004,
  '0005_as_of': m0005,
  '0006_figures': m0006,
  '0007_compact_claims': m0007,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
}
