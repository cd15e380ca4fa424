/**
 * The kafkajs side: one consumer group over the four topics, one partition batch at a time.
 * A batch is planned (decode, validate), its jobs are enqueued, and it is recorded in the
 * hand-over ledger. Nothing is committed here: the committer commits a partition only as far
 * as PostgreSQL has settled its jobs, together with the dead letters below that point (see
 * ledger.ts for the invariants).
 */
import type { DomainEventKind } from '@event-analytics/contracts'
import type { Logger } from '@event-analytics/ops'
import type { Consumer, EachBatchPayload } from 'kafkajs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AvroDecoder } from './decode/avro-decoder.js'
import type { HandOverLedger } from './ledger.js'
import type { IngestMetrics } from './metrics.js'
import { planBatch, type BatchPlan } from './pipeline.js'
import type { IngestQueue } from './queue.js'

export interface BatchHandlerDeps {
  readonly topics: ReadonlyMap<string, DomainEventKind>
  readonly decoder: AvroDecoder
  readonly queue: IngestQueue
  readonly ledger: HandOverLedger
  readonly metrics: IngestMetrics
  readonly logger: Logger
  readonly maxEventsPerJob: number
  readonly maxBacklogJobs: number
  /** Consumption also holds while this many consumed messages wait for their commit. */
  readonly maxPendingMessages: number
}

const BACKPRESSURE_POLL_MS = 200

export function createBatchHandler(deps: BatchHandlerDeps) {
  const hold = backpressureLog(deps)
  return async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload
    const kind = deps.topics.get(batch.topic)
    if (kind === undefined || batch.messages.length === 0) return
    const generation = deps.ledger.generation(batch.topic, batch.partition)

    const plan = await planBatch(deps.decoder, kind, batch, deps.maxEventsPerJob, new Date())
    for (const job of plan.jobs) {
      // Checked per job, so a large batch cannot push the backlog far past the bound.
      if (!(await waitForRoom(deps, payload, hold))) return
      const stopEnqueueTimer = deps.metrics.enqueueLatency.startTimer()
      try {
        await deps.queue.enqueue([job])
      } catch (error) {
        // kafkajs retries the batch; without this line a full or unreachable Redis stalls silently.
        deps.logger.warn(
          { err: error, topic: batch.topic, partition: batch.partition, jobId: job.id },
          'could not enqueue a job; the batch will be retried',
        )
        throw error
      }
      stopEnqueueTimer()
    }
    const firstOffset = batch.messages[0]!.offset
    const lastOffset = batch.messages[batch.messages.length - 1]!.offset
    const pending = {
      firstOffset,
      lastOffset,
      deadLetters: plan.deadLetters,
      messages: batch.messages,
      handedOnAt: Date.now(),
      jobs: plan.jobs.map((job) => ({ id: job.id, offsets: job.data.offsets })),
    }
    // Rewound meanwhile (Redis lost a job): kafkajs reads this batch again from the seek.
    if (!deps.ledger.add(batch.topic, batch.partition, generation, pending)) return
    payload.resolveOffset(lastOffset)
    record(deps, batch.topic, batch.partition, plan, batch.messages.length)
    await payload.heartbeat()
  }
}

interface BackpressureLog {
  holding(reason: string, detail: object): void
  released(): void
}

/** One line when a hold starts and one when it ends, not one per poll. */
function backpressureLog(deps: BatchHandlerDeps): BackpressureLog {
  let since: number | undefined
  return {
    holding(reason, detail) {
      deps.metrics.backpressure.set(1)
      if (since !== undefined) return
      since = Date.now()
      deps.logger.info({ reason, ...detail }, 'backpressure: consumption held')
    },
    released() {
      deps.metrics.backpressure.set(0)
      if (since === undefined) return
      deps.logger.info({ heldMs: Date.now() - since }, 'backpressure: consumption resumed')
      since = undefined
    },
  }
}

/** Holds the batch (heartbeating) while the queue or the uncommitted window is full. False: stop, we are shutting down or rebalancing. */
async function waitForRoom(deps: BatchHandlerDeps, payload: EachBatchPayload, hold: BackpressureLog): Promise<boolean> {
  for (;;) {
    const backlog = await deps.queue.backlog()
    const pending = deps.ledger.pendingMessages
    deps.metrics.backlog.set(backlog)
    if (backlog < deps.maxBacklogJobs && pending < deps.maxPendingMessages) {
      hold.released()
      return true
    }
    if (backlog >= deps.maxBacklogJobs) hold.holding('queue backlog', { backlog, max: deps.maxBacklogJobs })
    else hold.holding('messages awaiting their commit', { pending, max: deps.maxPendingMessages })
    if (!payload.isRunning() || payload.isStale()) return false
    await payload.heartbeat()
    await sleep(BACKPRESSURE_POLL_MS)
  }
}

function record(deps: BatchHandlerDeps, topic: string, partition: number, plan: BatchPlan, consumed: number): void {
  deps.metrics.consumed.inc({ topic }, consumed)
  deps.metrics.enqueued.inc({ topic }, plan.accepted)
  deps.metrics.jobs.inc(plan.jobs.length)
  deps.metrics.pendingMessages.set(deps.ledger.pendingMessages)
  deps.logger.debug({ topic, partition, consumed, accepted: plan.accepted, jobs: plan.jobs.length }, 'batch handed on')
}

export interface ConsumerHooks {
  /** A rebalance started: stop committing until the new assignment. */
  readonly onRebalancing: () => void
  /** Joined with a new assignment: kafkajs reads every partition again from its committed offset. */
  readonly onJoined: () => void
}

export async function runConsumer(
  consumer: Consumer,
  topics: readonly string[],
  handler: ReturnType<typeof createBatchHandler>,
  hooks: ConsumerHooks,
): Promise<void> {
  consumer.on(consumer.events.REBALANCING, hooks.onRebalancing)
  consumer.on(consumer.events.GROUP_JOIN, hooks.onJoined)
  await consumer.connect()
  await consumer.subscribe({ topics: [...topics], fromBeginning: true })
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: handler })
}
