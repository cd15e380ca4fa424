import type { Migration, MigrationProvider } from 'kysely/migration'
import * as m0001 from './0001_initial.js'
import * as m0002 from './0002_provider_health.js'
import * as m0003 from './0003_wide_sums.js'
import * as m0004 from './0004_settled_jobs.js'
import * as m0005 from './0005_as_of.js'
import * as m0006 from './0006_figures.js'
import * as m0007 from './0007_compact_claims.js'
import * as m0008 from './0008_partition_progress.js'
import * as m0009 from './0009_as_of_commit.js'
import * as m0010 from './0010_schedule.js'
import * as m0011 from './0011_returning_participants.js'
import * as m0012 from './0012_alerts.js'
import * as m0013 from './0013_webhooks.js'
import * as m0014 from './0014_projection_sets.js'
import * as m0015 from './0015_dedupe_closures.js'
import * as m0016 from './0016_alert_transitions_by_owner.js'

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
  '0008_partition_progress': m0008,
  '0009_as_of_commit': m0009,
  '0010_schedule': m0010,
  '0011_returning_participants': m0011,
  '0012_alerts': m0012,
  '0013_webhooks': m0013,
  '0014_projection_sets': m0014,
  '0015_dedupe_closures': m0015,
  '0016_alert_transitions_by_owner': m0016,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
}
