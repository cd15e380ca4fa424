/**
 * The hand-over ledger (migration 0004): which BullMQ jobs are settled in PostgreSQL, and
 * which of their messages PostgreSQL refused. Written by the aggregator, read by the ingest
 * worker to decide how far a Kafka partition may be committed.
 */
import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../schema/types.js'

/** The whole job: a payload the aggregator could not split into messages. */
export const WHOLE_JOB_OFFSET = '-1'

export interface ApplyFailure {
  /** Kafka offset of the refused message (a string: int64), or WHOLE_JOB_OFFSET. */
  readonly offset: string
  readonly messageId: string | null
  /** PostgreSQL's (or the fold's) reason, for the dead letter's x-error-message. */
  readonly reason: string
}

export interface SettledJob {
  readonly jobId: string
  readonly failures: readonly ApplyFailure[]
}

/**
 * Marks `jobs` settled inside the caller's transaction. Idempotent: a job settled twice (a
 * replay after a lost acknowledgement) keeps its first record. Returns how many failures
 * were new, so a retried batch does not count its poison messages twice.
 */
export async function recordSettledJobs(trx: Transaction<Database>, jobs: readonly SettledJob[]): Promise<number> {
  if (!trx.isTransaction) throw new Error('recordSettledJobs must run inside a transaction')
  if (jobs.length === 0) return 0
  // Sorted: concurrent aggregators settling overlapping jobs take the key locks in one order.
  const ids = [...new Set(jobs.map((job) => job.jobId))].sort()
  await trx
    .insertInto('settled_jobs')
    .columns(['job_id'])
    .expression(sql<{ job_id: string }>`SELECT unnest(${ids}::varchar[])`)
    .onConflict((oc) => oc.column('job_id').doNothing())
    .execute()
  const failures = jobs
    .flatMap((job) => job.failures.map((failure) => ({ jobId: job.jobId, ...failure })))
    .sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : Number(BigInt(a.offset) - BigInt(b.offset))))
  if (failures.length === 0) return 0
  const inserted = await trx
    .insertInto('apply_failures')
    .columns(['job_id', 'source_offset', 'message_id', 'reason'])
    .expression(
      sql<{ job_id: string; source_offset: string; message_id: string | null; reason: string }>`SELECT * FROM unnest(
      ${failures.map((f) => f.jobId)}::varchar[], ${failures.map((f) => f.offset)}::bigint[],
      ${failures.map((f) => f.messageId)}::varchar[], ${failures.map((f) => f.reason)}::text[])`,
    )
    .onConflict((oc) => oc.columns(['job_id', 'source_offset']).doNothing())
    .returning('job_id')
    .execute()
  return inserted.length
}

/** Of `jobIds`, the settled ones with their failures (most have none). */
export async function readSettledJobs(db: Kysely<Database>, jobIds: readonly string[]): Promise<Map<string, ApplyFailure[]>> {
  const settled = new Map<string, ApplyFailure[]>()
  if (jobIds.length === 0) return settled
  const rows = await db
    .selectFrom('settled_jobs as s')
    .leftJoin('apply_failures as f', 'f.job_id', 's.job_id')
    .select(['s.job_id', 'f.source_offset', 'f.message_id', 'f.reason'])
    .where('s.job_id', '=', sql<string>`ANY(${[...jobIds]}::varchar[])`)
    .execute()
  for (const row of rows) {
    const failures = settled.get(row.job_id) ?? []
    settled.set(row.job_id, failures)
    if (row.source_offset !== null && row.reason !== null) {
      failures.push({ offset: String(row.source_offset), messageId: row.message_id, reason: row.reason })
    }
  }
  return settled
}

/**
 * Forgets settlements older than `before`. Safe once no partition can still be committed
 * below them: Kafka's retention (7 days) is shorter than the default 14 days kept.
 */
export async function pruneSettledJobs(db: Kysely<Database>, before: Date): Promise<void> {
  await db.deleteFrom('apply_failures').where('failed_at', '<', before).execute()
  await db.deleteFrom('settled_jobs').where('settled_at', '<', before).execute()
}
