import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { addDays, dedupeDayOfPartition, dedupePartitionName, utcDay } from './calendar.js'
import { AdvisoryLock, createAndAttachPartition, listPartitions, runPartitionDdl, tableExists } from './ddl.js'
import type { DdlOptions } from './ddl.js'

export const DEDUPE_TABLE = 'processed_messages'

/**
 * Default retention of processed message ids, in days. It MUST exceed the retention of every
 * consumed Kafka topic (and the longest BullMQ retry horizon): a message replayed after its
 * id was dropped would be applied twice.
 */
export const DEFAULT_DEDUPE_RETENTION_DAYS = 14

/** Creates the processed_messages partition of `day` (`YYYY-MM-DD`) unless it exists. */
export async function ensureDedupePartition<DB>(db: Kysely<DB>, day: string, options: DdlOptions = {}): Promise<boolean> {
  const name = dedupePartitionName(day)
  if (await tableExists(db, name)) return false
  return runPartitionDdl(db, AdvisoryLock.dedupePartitions, options, async (trx) => {
    if (await tableExists(trx, name)) return false
    await createAndAttachPartition(trx, DEDUPE_TABLE, name, { from: day, to: addDays(day, 1) })
    options.logger?.info({ partition: name }, 'created dedupe partition')
    return true
  })
}

/**
 * Drops the partitions of every dedupe day older than `retentionDays` before the UTC day of
 * `now`, never the one of the current epoch. A partition for day D goes once D < today -
 * retentionDays, so every id is kept for at least `retentionDays` full days. Dropping a whole
 * partition is what keeps expiry cheap (no DELETE, no vacuum). Returns the dropped names.
 */
export async function dropExpiredDedupePartitions<DB>(
  db: Kysely<DB>,
  now: Date,
  retentionDays: number = DEFAULT_DEDUPE_RETENTION_DAYS,
  options: DdlOptions = {},
): Promise<string[]> {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`retentionDays must be a positive integer, got ${retentionDays}`)
  }
  const cutoff = addDays(utcDay(now), -retentionDays)
  const dropped: string[] = []
  for (const name of await listPartitions(db, DEDUPE_TABLE)) {
    const day = dedupeDayOfPartition(name)
    if (day === undefined || day >= cutoff) continue
    const done = await runPartitionDdl(db, AdvisoryLock.dedupePartitions, options, async (trx) => {
      const epoch = await sql<{ current_day: string }>`SELECT current_day::text FROM dedupe_epoch`.execute(trx)
      // A clock far ahead must not drop the partition new claims still go into.
      if (epoch.rows[0] !== undefined && day >= epoch.rows[0].current_day) return false
      await sql`DROP TABLE IF EXISTS ${sql.table(name)}`.execute(trx)
      if (await tableExists(trx, 'dedupe_closures')) await sql`DELETE FROM dedupe_closures WHERE day = ${day}::date`.execute(trx)
      return true
    })
    if (done) dropped.push(name)
  }
  if (dropped.length > 0) options.logger?.info({ partitions: dropped, cutoff }, 'dropped expired dedupe partitions')
  return dropped
}
