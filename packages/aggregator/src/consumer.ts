/**
 * The BullMQ side: fetch jobs manually (worker without processor), batch them, apply the
 * batch with poison isolation, record every job as settled in PostgreSQL, then complete the
 * jobs. Locks of the batch's jobs are extended while it is processed.
 *
 * Invariant: a job is recorded settled only once each of its messages is applied (claimed)
 * or recorded as an apply failure, and no job is ever failed in BullMQ: the ingest worker
 * dead-letters the failures (APPLY_FAILED) when it commits past them, so every message ends
 * applied or dead-lettered, never parked in Redis.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import { invalidateProjections, retry, type Logger, type RedisClient } from '@event-analytics/ops'
import type { DomainEvent, IngestBatchJob } from '@event-analytics/contracts'
import { WHOLE_JOB_OFFSET } from '@event-analytics/db'
import type { ApplyFailure, Database, SettledJob } from '@event-analytics/db'
import type { Job, Worker } from 'bullmq'
import type { Kysely } from 'kysely'
import type { AlertMonitor } from './alerts/evaluate.js'
import { commitMessages, settleJobs } from './apply.js'
import { collectBatch } from './batcher.js'
import { InvalidationFailed, errorMessage } from './errors.js'
import { cacheKeysOf } from './invalidate.js'
import { BatchAborted, isolatePoison } from './isolate.js'
import type { IsolateOptions, Poison } from './isolate.js'
import type { AggregatorMetrics } from './metrics.js'
import { envelopeProblem, messagesOf, payloadOf, type JobPayload } from './payload.js'

export interface ConsumerDeps {
  readonly worker: Worker<IngestBatchJob>
  readonly db: Kysely<Database>
  readonly cache: RedisClient
  /** Where the changed event ids are published once their keys are invalidated. */
  readonly changesChannel: string
  readonly metrics: AggregatorMetrics
  readonly logger: Logger
  readonly batchMaxMessages: number
  readonly batchMaxWaitMs: number
  readonly lockDurationMs: number
  /** Shared by every consumer of `worker`: their blocking fetches take turns (see SerialGate). */
  readonly blockingFetchGate: SerialGate
  /** Evaluates the alerts of the events a committed batch touched (absent: not evaluated). */
  readonly alerts?: AlertMonitor
  /** Told after every committed batch (the returning-participants fold defers while batches flow). */
  readonly onCommitted?: () => void
  /** Writing a set other than public: each batch reads whether its set is live (see ApplyOptions.checkLive). */
  readonly checkLive?: boolean
}

/**
 * Runs tasks one after another. BullMQ's Worker keeps a single blocking wait: a second
 * getNextJob(block) while one waits does not wait but polls at once, so consumers sharing a
 * worker would spin on an empty queue. Non-blocking fetches need no turn (moveToActive is atomic).
 */
export class SerialGate {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task)
    this.tail = result.catch(() => undefined)
    return result
  }
}

interface Fetched {
  readonly job: Job<IngestBatchJob>
  readonly token: string
  readonly size: number
}

interface Unit {
  readonly jobIndex: number
  readonly message: DomainEvent
  /** Kafka offset of the message, for its APPLY_FAILED dead letter. */
  readonly offset: string
  /** When the ingest worker read it (its job's readAt), if the job said. */
  readonly readAt: number | undefined
}

/** Transient failures (PostgreSQL or Redis away): 200 ms, doubling, at most 5 s apart. */
const TRANSIENT_BACKOFF = { initialMs: 200, factor: 2, maxMs: 5000, jitter: false } as const

export class BatchConsumer {
  private stopping = false
  /** Aborted by drain(): ends the transient retries of the in-flight batch. */
  private readonly stopped = new AbortController()
  private loop: Promise<void> | undefined
  private readonly workerToken = randomUUID()
  private fetchCount = 0

  constructor(private readonly deps: ConsumerDeps) {}

  start(): void {
    this.loop ??= this.run()
  }

  /** Stops taking jobs and resolves once the in-flight batch is settled. */
  async drain(): Promise<void> {
    this.stopping = true
    this.stopped.abort()
    await this.loop
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const batch = await collectBatch(
          (block) => this.fetch(block),
          (fetched) => fetched.size,
          {
            maxMessages: this.deps.batchMaxMessages,
            maxWaitMs: this.deps.batchMaxWaitMs,
            isStopping: () => this.stopping,
          },
        )
        if (batch.length > 0) await this.processBatch(batch)
      } catch (error) {
        // Redis unreachable while fetching, and the like: log and keep going.
        this.deps.logger.error({ err: error }, 'batch loop error')
        await sleep(500)
      }
    }
  }

  private async fetch(block: boolean): Promise<Fetched | undefined> {
    this.fetchCount += 1
    const token = `${this.workerToken}:${this.fetchCount}`
    const { worker, blockingFetchGate } = this.deps
    const job = block
      ? await blockingFetchGate.run(async () => (this.stopping ? undefined : worker.getNextJob(token, { block: true })))
      : await worker.getNextJob(token, { block: false })
    if (job === undefined) return undefined
    let size = 1
    try {
      size = Math.max(1, messagesOf(job.data).length)
    } catch {
      // Malformed payload: failed in processBatch.
    }
    return { job, token, size }
  }

  private async processBatch(batch: readonly Fetched[]): Promise<void> {
    const { metrics, logger } = this.deps
    metrics.batchJobs.observe(batch.length)
    const lockTimer = setInterval(() => void this.extendLocks(batch), Math.max(500, this.deps.lockDurationMs / 2))
    try {
      const { units, failures } = this.unitsOf(batch)
      const settlement = (): SettledJob[] => batch.map(({ job }, index) => ({ jobId: String(job.id), failures: failures.get(index) ?? [] }))
      // The first attempt carries the whole batch: its jobs are settled in the same transaction.
      const poisons = await isolatePoison(
        units,
        (part) => this.commitUnits(part, part.length === units.length && failures.size === 0 ? settlement() : []),
        {
          transientRetry: this.transientRetry(),
          onSplit: (size, error) => logger.warn({ size, err: error }, 'batch failed on its data; splitting it'),
        },
      )
      for (const poison of poisons) recordPoison(failures, poison)
      if (poisons.length > 0 || failures.size > 0 || units.length === 0) await this.settleApart(settlement())
      await this.complete(batch)
    } catch (error) {
      if (!(error instanceof BatchAborted)) throw error
      // Shutting down during an outage: the jobs stay active, their locks expire and BullMQ's
      // stalled check hands them to a worker again; the claims make the replay harmless.
      logger.warn({ jobs: batch.length, reason: error.message }, 'batch abandoned at shutdown')
    } finally {
      clearInterval(lockTimer)
    }
  }

  private unitsOf(batch: readonly Fetched[]): { units: Unit[]; failures: Map<number, ApplyFailure[]> } {
    const units: Unit[] = []
    const failures = new Map<number, ApplyFailure[]>()
    const fail = (jobIndex: number, failure: ApplyFailure): void => {
      failures.set(jobIndex, [...(failures.get(jobIndex) ?? []), failure])
    }
    batch.forEach((fetched, jobIndex) => {
      let payload: JobPayload
      try {
        payload = payloadOf(fetched.job.data)
      } catch (error) {
        fail(jobIndex, { offset: WHOLE_JOB_OFFSET, messageId: null, reason: errorMessage(error) })
        return
      }
      payload.messages.forEach((message, index) => {
        const offset = payload.offsets[index] as string
        const problem = envelopeProblem(message)
        if (problem === null) units.push({ jobIndex, message: message as DomainEvent, offset, readAt: payload.readAt })
        else fail(jobIndex, { offset, messageId: null, reason: problem })
      })
    })
    return { units, failures }
  }

  private async commitUnits(units: readonly Unit[], settle: readonly SettledJob[]): Promise<void> {
    const { db, metrics, logger } = this.deps
    const outcome = await commitMessages(
      db,
      units.map((unit) => unit.message),
      { metrics, logger, settle, readAt: readTimes(units), checkLive: this.deps.checkLive === true },
    )
    this.deps.onCommitted?.()
    metrics.batchMessages.observe(outcome.received)
    metrics.messagesApplied.inc(outcome.applied)
    metrics.duplicatesDropped.inc(outcome.duplicates)
    metrics.rowsWritten.inc(outcome.rowsWritten)
    if (outcome.rowsWritten > 0) metrics.foldRatio.observe(outcome.applied / outcome.rowsWritten)
    // A set that is not live is read by nobody: its batches leave the live caches and streams alone.
    if (!outcome.live) return
    const keys = cacheKeysOf(outcome.changed)
    try {
      const eventIds = outcome.changed.map((change) => change.eventId)
      await invalidateProjections(this.deps.cache, keys, { channel: this.deps.changesChannel, eventIds })
    } catch (error) {
      // Committed already: the retry finds every message claimed and invalidates again.
      metrics.invalidationFailures.inc()
      throw new InvalidationFailed(error)
    }
    // Queued, not awaited: the alert evaluator runs beside the batches and announces its own changes.
    this.deps.alerts?.afterBatch(outcome.changed.map((change) => change.eventId))
  }

  /** Settles the jobs of a batch that was split (or had unreadable messages) in a transaction of its own. */
  private async settleApart(jobs: readonly SettledJob[]): Promise<void> {
    const fresh = await retry(() => settleJobs(this.deps.db, jobs), { ...this.transientRetry(), attempts: Infinity }).catch(
      (error: unknown) => {
        // Retried without end: only drain() (shutdown) gets here.
        throw new BatchAborted(errorMessage(error))
      },
    )
    this.deps.metrics.poisonMessages.inc(fresh)
    for (const job of jobs) {
      for (const failure of job.failures) {
        this.deps.logger.error(
          { jobId: job.jobId, offset: failure.offset, messageId: failure.messageId, reason: failure.reason },
          'message refused by PostgreSQL; it will be dead-lettered APPLY_FAILED',
        )
      }
    }
  }

  /** A batch's transient failures are retried until they pass or drain() aborts them. */
  private transientRetry(): IsolateOptions['transientRetry'] {
    return {
      backoff: TRANSIENT_BACKOFF,
      signal: this.stopped.signal,
      onRetry: (error, attempt) => {
        this.deps.metrics.retries.inc({ reason: 'transient' })
        this.deps.logger.warn({ err: error, attempt }, 'batch failed transiently; retrying')
      },
    }
  }

  private async extendLocks(batch: readonly Fetched[]): Promise<void> {
    for (const { job, token } of batch) {
      try {
        await job.extendLock(token, this.deps.lockDurationMs)
      } catch (error) {
        this.deps.logger.warn({ err: error, jobId: job.id }, 'could not extend job lock')
      }
    }
  }

  private async complete(batch: readonly Fetched[]): Promise<void> {
    for (const { job, token } of batch) {
      try {
        await job.moveToCompleted({ messages: payloadSize(job.data) }, token, false)
      } catch (error) {
        // Lock lost (stalled and taken by another worker): that worker's replay is a no-op.
        // Redis lost the job: the settlement in PostgreSQL is what the ingest worker reads.
        this.deps.logger.warn({ err: error, jobId: job.id }, 'could not complete job')
      }
    }
  }
}

function recordPoison(failures: Map<number, ApplyFailure[]>, poison: Poison<Unit>): void {
  const { jobIndex, message, offset } = poison.unit
  const failure = { offset, messageId: message.messageId, reason: `${message.kind} of event ${message.eventId}: ${poison.reason}` }
  failures.set(jobIndex, [...(failures.get(jobIndex) ?? []), failure])
}

/** Each message's earliest known ingest read time, by messageId (a message may come in two jobs). */
function readTimes(units: readonly Unit[]): Map<string, number> {
  const times = new Map<string, number>()
  for (const { message, readAt } of units) {
    if (readAt === undefined) continue
    const known = times.get(message.messageId)
    if (known === undefined || readAt < known) times.set(message.messageId, readAt)
  }
  return times
}

function payloadSize(data: unknown): number {
  try {
    return messagesOf(data).length
  } catch {
    return 0
  }
}
