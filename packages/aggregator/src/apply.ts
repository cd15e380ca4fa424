/**
 * The batch transaction: claim the message ids (exactly-once effects), fold the fresh ones,
 * upsert the deltas, all in one PostgreSQL transaction; then invalidate the cache.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ChangedProjection, DomainEvent } from '@event-analytics/contracts'
import { upsertBatchDeltas, claimMessages, ensureTimelinePartitionsFor, readEventOwners, recordSettledJobs } from '@event-analytics/db'
import type { Database, SettledJob } from '@event-analytics/db'
import type { Kysely, Transaction } from 'kysely'
import { classifyFailure } from './errors.js'
import { foldBatch, timelineHours, uniqueByMessageId } from './fold/index.js'
import { touchedProjections } from './invalidate.js'
import type { AggregatorMetrics } from './metrics.js'

export interface ApplyOutcome {
  readonly received: number
  /** Messages applied by this transaction (never applied before). */
  readonly applied: number
  /** Messages dropped: applied before, or repeated inside the batch. */
  readonly duplicates: number
  readonly rowsWritten: number
  /** Every projection the batch's messages name, applied or found applied before: what to invalidate. */
  readonly changed: readonly ChangedProjection[]
}

/** Deadlocks and serialization failures are retried this many times before giving up. */
const CONFLICT_ATTEMPTS = 8

export interface ApplyOptions {
  readonly metrics?: AggregatorMetrics
  /** Partition DDL logger. */
  readonly logger?: { info(object: object, message: string): void; warn(object: object, message: string): void }
  /** Jobs wholly applied by this transaction: recorded settled in it, with the claims. */
  readonly settle?: readonly SettledJob[]
}

/** Applies `messages` in one transaction, retrying on deadlock / serialization failure. */
export async function commitMessages(
  db: Kysely<Database>,
  messages: readonly DomainEvent[],
  options: ApplyOptions = {},
): Promise<ApplyOutcome> {
  const unique = uniqueByMessageId(messages)
  // DDL outside the batch transaction (its locks must not be held for the batch's duration).
  await ensureTimelinePartitionsFor(db, timelineHours(unique), options.logger ? { logger: options.logger } : {})
  for (let attempt = 1; ; attempt += 1) {
    const timer = options.metrics?.transactionSeconds.startTimer()
    try {
      const outcome = await db.transaction().execute(async (trx) => {
        const applied = await claimFoldAndUpsert(trx, unique, messages.length)
        await recordSettledJobs(trx, options.settle ?? [])
        return applied
      })
      timer?.()
      return outcome
    } catch (error) {
      timer?.()
      if (classifyFailure(error) !== 'conflict' || attempt >= CONFLICT_ATTEMPTS) throw error
      options.metrics?.retries.inc({ reason: 'conflict' })
      await sleep(Math.floor(Math.random() * 20 * attempt))
    }
  }
}

/** Records `jobs` settled in a transaction of their own; returns how many failures were new. */
export async function settleJobs(db: Kysely<Database>, jobs: readonly SettledJob[]): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute((trx) => recordSettledJobs(trx, jobs))
    } catch (error) {
      if (classifyFailure(error) !== 'conflict' || attempt >= CONFLICT_ATTEMPTS) throw error
      await sleep(Math.floor(Math.random() * 20 * attempt))
    }
  }
}

async function claimFoldAndUpsert(trx: Transaction<Database>, unique: readonly DomainEvent[], received: number): Promise<ApplyOutcome> {
  // claimMessages inserts the claims in one global order itself (no claim deadlocks).
  const fresh = await claimMessages(
    trx,
    unique.map((message) => message.messageId),
  )
  const toApply = unique.filter((message) => fresh.has(message.messageId))
  const model = foldBatch(toApply)
  const written = await upsertBatchDeltas(trx, model)
  const owners = new Map(written.events.map((event) => [event.eventId, event.userId]))
  const unknownOwners = [...new Set(unique.map((message) => message.eventId))].filter((id) => !owners.has(id))
  // Only batches holding messages applied before get here with unknown owners: a rare path.
  for (const [eventId, userId] of await readEventOwners(trx, unknownOwners)) owners.set(eventId, userId)
  return {
    received,
    applied: toApply.length,
    duplicates: received - toApply.length,
    rowsWritten: written.rowsWritten,
    changed: touchedProjections(unique, owners),
  }
}
