/**
 * The exactly-once bookkeeping's upkeep, for a long-running deployment: roll the dedupe epoch
 * to today (so new claims land in today's partition), drop the dedupe partitions past their
 * retention, and forget settlements as old. Idempotent and cheap when there is nothing to do;
 * the aggregator runs it at start and every hour, `pnpm migrate` runs it too. Run only by a
 * migration, a deployment would keep claiming into the day it was migrated, forever.
 */
import type { Kysely } from 'kysely'
import { rollDedupeEpoch, type RollResult } from './dedupe/epoch.js'
import { DEFAULT_DEDUPE_RETENTION_DAYS, dropExpiredDedupePartitions } from './partitions/dedupe.js'
import type { DdlOptions } from './partitions/ddl.js'
import { pruneSettledJobs } from './queries/settled-jobs.js'
import type { Database } from './schema/types.js'

export interface MaintenanceResult {
  readonly epoch: RollResult
  readonly droppedPartitions: readonly string[]
}

export async function runDedupeMaintenance(db: Kysely<Database>, now: Date, options: DdlOptions = {}): Promise<MaintenanceResult> {
  const epoch = await rollDedupeEpoch(db, now, options)
  const droppedPartitions = await dropExpiredDedupePartitions(db, now, DEFAULT_DEDUPE_RETENTION_DAYS, options)
  // Settlements live as long as claims: past that, no Kafka partition can be read below them.
  await pruneSettledJobs(db, new Date(now.getTime() - DEFAULT_DEDUPE_RETENTION_DAYS * 86_400_000))
  return { epoch, droppedPartitions }
}
