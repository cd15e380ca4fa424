import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import { addUtcMonths, monthsBetween, timelinePartitionName, utcMonthStart } from './calendar.js'
import { AdvisoryLock, createAndAttachPartition, listPartitions, runPartitionDdl, tableExists } from './ddl.js'
import type { DdlOptions } from './ddl.js'

export const TIMELINE_TABLE = 'timeline_data'
export const TIMELINE_DEFAULT_PARTITION = 'timeline_data_default'

/**
 * Partitions known to exist, per Kysely instance (so one process talking to several
 * databases, like a test run, never confuses them). Keeps the aggregator's hot path free of
 * catalog queries: after the first call only months never seen before reach PostgreSQL.
 */
const knownPartitions = new WeakMap<object, Set<string>>()

async function knownFor<DB>(db: Kysely<DB>): Promise<Set<string>> {
  let known = knownPartitions.get(db)
  if (known === undefined) {
    known = new Set(await listPartitions(db, TIMELINE_TABLE))
    knownPartitions.set(db, known)
  }
  return known
}

/**
 * Makes sure the monthly partition of every month from `fromMonth` to `toMonth` (any instant
 * in those months, both included) exists. Returns the names of the partitions it created.
 * Call it outside any transaction, before writing rows of those months.
 */
export async function ensureTimelinePartitions<DB>(
  db: Kysely<DB>,
  fromMonth: Date,
  toMonth: Date,
  options: DdlOptions = {},
): Promise<string[]> {
  const known = await knownFor(db)
  const created: string[] = []
  for (const month of monthsBetween(fromMonth, toMonth)) {
    const name = timelinePartitionName(month)
    if (known.has(name)) continue
    if (await createTimelinePartition(db, month, options)) created.push(name)
    known.add(name)
  }
  return created
}

/** Same, for the months of the given bucket timestamps (the aggregator's call before a batch). */
export async function ensureTimelinePartitionsFor<DB>(
  db: Kysely<DB>,
  timestamps: Iterable<Date>,
  options: DdlOptions = {},
): Promise<string[]> {
  const months = new Map<string, Date>()
  for (const timestamp of timestamps) months.set(timelinePartitionName(timestamp), timestamp)
  const created: string[] = []
  for (const month of months.values()) created.push(...(await ensureTimelinePartitions(db, month, month, options)))
  return created
}

async function createTimelinePartition<DB>(db: Kysely<DB>, month: Date, options: DdlOptions): Promise<boolean> {
  const name = timelinePartitionName(month)
  const from = utcMonthStart(month)
  const to = addUtcMonths(from, 1)
  return runPartitionDdl(db, AdvisoryLock.timelinePartitions, options, async (trx) => {
    // Re-check under the advisory lock: another aggregator may have just created it.
    if (await tableExists(trx, name)) return false
    // Attaching scans DEFAULT under this same lock anyway; taking it first keeps any insert
    // from parking a row of this month in DEFAULT between the move and the attach.
    await sql`LOCK TABLE ${sql.table(TIMELINE_DEFAULT_PARTITION)} IN ACCESS EXCLUSIVE MODE`.execute(trx)
    let moved = 0
    await createAndAttachPartition(trx, TIMELINE_TABLE, name, { from: from.toISOString(), to: to.toISOString() }, async () => {
      moved = await moveOutOfDefault(trx, name, from, to)
    })
    options.logger?.info({ partition: name, movedFromDefault: moved }, 'created timeline partition')
    return true
  })
}

/**
 * Rows of [from, to) that landed in DEFAULT (no partition yet when they were written) must
 * leave it: PostgreSQL refuses a partition whose range DEFAULT still holds rows of. They go
 * straight into the new table before it is attached. Returns how many moved.
 */
async function moveOutOfDefault<DB>(trx: Transaction<DB>, target: string, from: Date, to: Date): Promise<number> {
  const result = await sql`
    WITH moved AS (
      DELETE FROM ${sql.table(TIMELINE_DEFAULT_PARTITION)}
      WHERE "timestamp" >= ${from} AND "timestamp" < ${to}
      RETURNING *
    )
    INSERT INTO ${sql.table(target)} SELECT * FROM moved`.execute(trx)
  return Number(result.numAffectedRows ?? 0n)
}
