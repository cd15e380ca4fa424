/**
 * The BullMQ side: fetch jobs manually (worker without processor), batch them, apply the
 * batch with poison isolation, then complete or fail each job. Locks of the batch's jobs are
 * extended while it is processed.
 */
import { randomUUID } from 'node:crypto'
import { invalidateProjections } from '@event-analytics/contracts'
import type { DomainEvent, IngestBatchJob, Logger } from '@event-analytics/contracts'
import type { Database } from '@event-analytics/db'
import type { Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import { applyMessages } from './apply.js'
import { collectBatch } from './batcher.js'
import { InvalidationFailed, errorMessage } from './errors.js'
import { cacheKeysOf } from './invalidate.js'
import { BatchAborted, applyIsolating } from './isolate.js'
import type { Poison } from './isolate.js'
import type { AggregatorMetrics } from './metrics.js'
import { envelopeProblem, messagesOf } from './payload.js'

export interface ConsumerDeps {
  readonly worker: Worker<IngestBatchJob>
  readonly db: Kysely<Database>
  readonly cache: Redis
  readonly metrics: AggregatorMetrics
  readonly logger: Logger
  readonly batchMaxMessages: number
  readonly batchMaxWaitMs: number
  readonly lockDurationMs: number
}

interface Fetched {
  readonly job: Job<IngestBatchJob>
  readonly token: string
  readonly size: number
}

interface Unit {
  readonly jobIndex: number
  readonly message: DomainEvent
}

const MAX_BACKOFF_MS = 5000

export class BatchConsumer {
  private stopping = false
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
    await this.loop
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const batch = await collectBatch((block) => this.fetch(block), (fetched) => fetched.size, {
          maxMessages: this.deps.batchMaxMessages,
          maxWaitMs: this.deps.batchMaxWaitMs,
          isStopping: () => this.stopping,
        })
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
    const job = await this.deps.worker.getNextJob(token, { block })
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
      const poisons = await applyIsolating(units, (part) => this.applyUnits(part), {
        onTransient: (error, attempt) => this.onTransient(error, attempt),
        onSplit: (size, error) => logger.warn({ size, err: error }, 'batch failed on its data; splitting it'),
      })
      metrics.poisonMessages.inc(poisons.length)
      for (const poison of poisons) recordPoison(failures, poison)
      await this.settle(batch, failures)
    } catch (error) {
      if (!(error instanceof BatchAborted)) throw error
      // Shutting down during an outage: the jobs stay active, their locks expire and BullMQ's
      // stalled check hands them to a worker again; the claims make the replay harmless.
      logger.warn({ jobs: batch.length, reason: error.message }, 'batch abandoned at shutdown')
    } finally {
      clearInterval(lockTimer)
    }
  }

  private unitsOf(batch: readonly Fetched[]): { units: Unit[]; failures: Map<number, string[]> } {
    const units: Unit[] = []
    const failures = new Map<number, string[]>()
    batch.forEach((fetched, jobIndex) => {
      let messages: readonly unknown[]
      try {
        messages = messagesOf(fetched.job.data)
      } catch (error) {
        failures.set(jobIndex, [errorMessage(error)])
        return
      }
      for (const message of messages) {
        const problem = envelopeProblem(message)
        if (problem === null) units.push({ jobIndex, message: message as DomainEvent })
        else failures.set(jobIndex, [...(failures.get(jobIndex) ?? []), problem])
      }
    })
    return { units, failures }
  }

  private async applyUnits(units: readonly Unit[]): Promise<void> {
    const { db, metrics, logger } = this.deps
    const outcome = await applyMessages(db, units.map((unit) => unit.message), { metrics, logger })
    metrics.batchMessages.observe(outcome.received)
    metrics.messagesApplied.inc(outcome.applied)
    metrics.duplicatesDropped.inc(outcome.duplicates)
    metrics.rowsWritten.inc(outcome.rowsWritten)
    if (outcome.rowsWritten > 0) metrics.foldRatio.observe(outcome.applied / outcome.rowsWritten)
    const keys = cacheKeysOf(outcome.changed)
    try {
      await invalidateProjections(this.deps.cache, keys)
    } catch (error) {
      // Committed already: the retry finds every message claimed and invalidates again.
      metrics.invalidationFailures.inc()
      throw new InvalidationFailed(error)
    }
  }

  private async onTransient(error: unknown, attempt: number): Promise<boolean> {
    this.deps.metrics.retries.inc({ reason: 'transient' })
    this.deps.logger.warn({ err: error, attempt }, 'batch failed transiently; retrying')
    if (this.stopping) return false
    await sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 10)))
    return !this.stopping
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

  private async settle(batch: readonly Fetched[], failures: Map<number, string[]>): Promise<void> {
    const { metrics, logger } = this.deps
    for (const [index, { job, token }] of batch.entries()) {
      const reasons = failures.get(index)
      try {
        if (reasons === undefined) {
          await job.moveToCompleted({ messages: messagesOf(job.data).length }, token, false)
          continue
        }
        metrics.failedJobs.inc()
        const reason = `poison: ${reasons.join('; ')}`
        logger.error({ jobId: job.id, reason }, 'job failed: poison message(s) isolated, the rest applied')
        await job.moveToFailed(new Error(reason), token, false)
      } catch (error) {
        // Lock lost (stalled and taken by another worker): that worker's replay is a no-op.
        logger.warn({ err: error, jobId: job.id }, 'could not settle job')
      }
    }
  }
}

function recordPoison(failures: Map<number, string[]>, poison: Poison<Unit>): void {
  const { jobIndex, message } = poison.unit
  const reason = `message ${message.messageId} (${message.kind} of event ${message.eventId}): ${poison.reason}`
  failures.set(jobIndex, [...(failures.get(jobIndex) ?? []), reason])
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
