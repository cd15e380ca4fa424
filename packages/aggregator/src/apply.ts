/**
 * The batch transaction: claim the message ids (exactly-once effects), fold the fresh ones,
 * upsert the deltas, all in one PostgreSQL transaction; then invalidate the cache.
 */
import { retry, type RetryOptions } from '@event-analytics/ops'
import type { ChangedProjection, DomainEvent } from '@event-analytics/contracts'
import {
  upsertBatchDeltas,
  claimMessages,
  ensureTimelinePartitionsFor,
  lockSetLiveness,
  readEventOwners,
  readOwnersEvents,
  recordSettledJobs,
} from '@event-analytics/db'
import type { Database, SettledJob } from '@event-analytics/db'
import type { Kysely, Transaction } from 'kysely'
import { classifyFailure } from './errors.js'
import { foldBatch, timelineHours, uniqueByMessageId, withIngestReadAt } from './fold/index.js'
import { touchedProjections, withSharingEvents } from './invalidate.js'
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
  /**
   * Whether the set written was live when the transaction committed (true unless `checkLive`): only
   * then are the caches invalidated, since the API reads the live set alone.
   */
  readonly live: boolean
}

/**
 * Deadlocks and serialization failures: 8 attempts in all, with short jittered pauses (the
 * conflicting transaction finishes in milliseconds, and jitter keeps the two from meeting again).
 */
const CONFLICT_RETRY = {
  attempts: 8,
  backoff: { initialMs: 20, factor: 2, maxMs: 160 },
  shouldRetry: (error: unknown) => classifyFailure(error) === 'conflict',
} as const satisfies RetryOptions

export interface ApplyOptions {
  readonly metrics?: AggregatorMetrics
  /** Partition DDL logger. */
  readonly logger?: { info(object: object, message: string): void; warn(object: object, message: string): void }
  /** Jobs wholly applied by this transaction: recorded settled in it, with the claims. */
  readonly settle?: readonly SettledJob[]
  /**
   * When the ingest worker read each message (epoch ms, by messageId; from its job's readAt). The
   * events keep the commit time and the earliest read time of their applied messages: the
   * pipeline delay (docs/SPEC.md section 9). A message absent here has no known read time.
   */
  readonly readAt?: ReadonlyMap<string, number>
  /**
   * A rebuild's writer (a set other than public): read the set's live flag in the transaction, its
   * pointer row held until the commit (lockSetLiveness), so a switch and the batch are ordered.
   */
  readonly checkLive?: boolean
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
  return retry(
    async () => {
      const timer = options.metrics?.transactionSeconds.startTimer()
      try {
        return await db.transaction().execute(async (trx) => {
          const live = options.checkLive === true ? await lockSetLiveness(trx) : true
          const applied = await claimFoldAndUpsert(trx, unique, messages.length, options.readAt)
          await recordSettledJobs(trx, options.settle ?? [])
          return { ...applied, live }
        })
      } finally {
        timer?.()
      }
    },
    { ...CONFLICT_RETRY, onRetry: () => options.metrics?.retries.inc({ reason: 'conflict' }) },
  )
}

/** Records `jobs` settled in a transaction of their own; returns how many failures were new. */
export async function settleJobs(db: Kysely<Database>, jobs: readonly SettledJob[]): Promise<number> {
  return retry(() => db.transaction().execute((trx) => recordSettledJobs(trx, jobs)), CONFLICT_RETRY)
}

async function claimFoldAndUpsert(
  trx: Transaction<Database>,
  unique: readonly DomainEvent[],
  received: number,
  readAt: ReadonlyMap<string, number> = new Map(),
): Promise<Omit<ApplyOutcome, 'live'>> {
  // claimMessages inserts the claims in one global order itself (no claim deadlocks). The dates
  // let it skip, for recent messages, the older days they cannot have been claimed in.
  const fresh = await claimMessages(
    trx,
    unique.map((message) => message.messageId),
    { occurredAt: new Map(unique.map((message) => [message.messageId, message.occurredAt])) },
  )
  const toApply = unique.filter((message) => fresh.has(message.messageId))
  const model = withIngestReadAt(foldBatch(toApply), toApply, readAt)
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
    changed: withSharingEvents(touchedProjections(unique, owners), await findSharingEvents(trx, unique)),
  }
}

/**
 * The other events of the owners the batch's EventCreated messages name: learning an event's
 * owner can move its participants' first participation across that owner's events (docs/SPEC.md
 * 9a), so their views are invalidated too. From all of the batch's messages, applied now or
 * before, for the same reason as touchedProjections. Registrations change no split until the fold
 * job moves them (returning-fold.ts).
 */
async function findSharingEvents(trx: Transaction<Database>, unique: readonly DomainEvent[]): Promise<Map<string, string>> {
  const owners = unique.flatMap((message) => (message.kind === 'EventCreated' ? [message.userId] : []))
  return readOwnersEvents(trx, owners)
}
