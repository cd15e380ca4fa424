import { retry } from '@event-analytics/ops'
import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import { PgErrorCode, pgErrorCode } from '../errors.js'
import { setScopedLockKey } from '../sets/names.js'

/**
 * Advisory lock keys (pg_advisory_xact_lock, per database and projection set: setScopedLockKey). One key per partitioned table
 * serialises every process that creates or drops its partitions.
 */
export const AdvisoryLock = {
  timelinePartitions: 7_201_311_001,
  dedupePartitions: 7_201_311_002,
} as const

export interface DdlOptions {
  /**
   * How long one attempt waits for a table lock before giving up (ms, default 5000).
   * Short on purpose: a DDL statement queued behind a long transaction blocks every new
   * reader and writer of the table behind it; better to step back and retry.
   */
  lockTimeoutMs?: number
  /** Attempts before the error is thrown (default 5); the pauses between are 100 ms doubling to 1 s. */
  attempts?: number
  logger?: DdlLogger
}

export interface DdlLogger {
  info(object: object, message: string): void
  warn(object: object, message: string): void
}

function isRetryable(error: unknown): boolean {
  const code = pgErrorCode(error)
  return code === PgErrorCode.lockNotAvailable || code === PgErrorCode.deadlockDetected
}

/**
 * Runs partition DDL in its own short transaction holding the table's advisory lock, with a
 * lock_timeout, retrying when a lock could not be had. Refuses to run inside a caller's
 * transaction: the ACCESS EXCLUSIVE locks DDL takes would be held until that (possibly long)
 * transaction ends and could deadlock against concurrent batches.
 */
export async function runPartitionDdl<DB, T>(
  db: Kysely<DB>,
  lockKey: number,
  options: DdlOptions,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) throw new Error('partition DDL must not run inside a caller transaction')
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000
  return retry(
    () =>
      db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('lock_timeout', ${String(lockTimeoutMs)}, true)`.execute(trx)
        await sql`SELECT pg_advisory_xact_lock(${setScopedLockKey(lockKey)})`.execute(trx)
        return work(trx)
      }),
    {
      attempts: options.attempts ?? 5,
      backoff: { initialMs: 100, factor: 2, maxMs: 1000, jitter: false },
      shouldRetry: isRetryable,
      onRetry: (error, attempt) => options.logger?.warn({ err: error, attempt }, 'partition DDL could not get its locks; retrying'),
    },
  )
}

/**
 * True when a table of that name exists in the current schema (the first of the search path: a
 * projection set's own, packages/db/src/sets), never one of the same name further down the path.
 */
export async function tableExists<DB>(db: Kysely<DB>, tableName: string): Promise<boolean> {
  const result = await sql<{ found: boolean }>`
    SELECT to_regclass(quote_ident(current_schema()) || '.' || quote_ident(${tableName})) IS NOT NULL AS found`.execute(db)
  return result.rows[0]?.found === true
}

/** Names of the partitions currently attached to `parent`. */
export async function listPartitions<DB>(db: Kysely<DB>, parent: string): Promise<string[]> {
  const result = await sql<{ name: string }>`
    SELECT c.relname AS name
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = to_regclass(${parent})
    ORDER BY c.relname`.execute(db)
  return result.rows.map((row) => row.name)
}

/**
 * Creates `name` as a plain table shaped like `parent`, lets `fill` put rows in it, then
 * attaches it for [from, to). CREATE TABLE ... PARTITION OF would take an ACCESS EXCLUSIVE
 * lock on the parent and so stall every reader and writer of the table; ATTACH PARTITION only
 * takes SHARE UPDATE EXCLUSIVE on it, which running INSERTs and SELECTs do not conflict with.
 * PostgreSQL builds the parent's indexes (primary key, BRIN) on the new table as it attaches.
 */
export async function createAndAttachPartition<DB>(
  trx: Transaction<DB>,
  parent: string,
  name: string,
  bounds: { from: string; to: string },
  fill?: (trx: Transaction<DB>) => Promise<void>,
): Promise<void> {
  await sql`
    CREATE TABLE ${sql.table(name)}
    (LIKE ${sql.table(parent)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(trx)
  if (fill !== undefined) await fill(trx)
  await sql`
    ALTER TABLE ${sql.table(parent)} ATTACH PARTITION ${sql.table(name)}
    FOR VALUES FROM (${sql.lit(bounds.from)}) TO (${sql.lit(bounds.to)})`.execute(trx)
}
