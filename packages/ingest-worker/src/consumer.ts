/**
 * The kafkajs side: one consumer group over the four topics, one partition batch at a time.
 * A batch is planned (decode, validate), its jobs are enqueued, and it is recorded in the
 * hand-over ledger. Nothing is committed here: the committer commits a partition only as far
 * as PostgreSQL has settled its jobs, together with the dead letters below that point (see
 * ledger.ts for the invariants).
 */
import type { DomainEventKind } from '@event-analytics/contracts'
import { readCommittedOffset, type Database } from '@event-analytics/db'
import type { Logger } from '@event-analytics/ops'
import type { Kysely } from 'kysely'
import type { Consumer, EachBatchPayload } from 'kafkajs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AvroDecoder } from './decode/avro-decoder.js'
import type { HandOverLedger, OffsetRegression } from './ledger.js'
import type { IngestMetrics } from './metrics.js'
import { planBatch, type BatchPlan } from './pipeline.js'
import { RateCap } from './rate-cap.js'
import type { IngestQueue } from './queue.js'

export interface BatchHandlerDeps {
  readonly topics: ReadonlyMap<string, DomainEventKind>
  readonly decoder: AvroDecoder
  readonly queue: IngestQueue
  readonly ledger: HandOverLedger
  /** Where a previous run committed each partition (`partition_progress`). */
  readonly db: Kysely<Database>
  readonly groupId: string
  readonly metrics: IngestMetrics
  readonly logger: Logger
  readonly maxEventsPerJob: number
  readonly maxBacklogJobs: number
  /** Consumption also holds while this many consumed messages wait for their commit. */
  readonly maxPendingMessages: number
  /** Or while the messages waiting for their commit keep this many bytes for their dead letters. */
  readonly maxPendingBytes: number
  /** At most this many messages consumed a second on average (0: no ceiling). */
  readonly maxMessagesPerSecond: number
}

const BACKPRESSURE_POLL_MS = 200

export function createBatchHandler(deps: BatchHandlerDeps) {
  const hold = backpressureLog(deps)
  const cap = new RateCap(deps.maxMessagesPerSecond)
  return async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload
    const kind = deps.topics.get(batch.topic)
    if (kind === undefined || batch.messages.length === 0) return
    if (deps.ledger.needsCommittedOffset(batch.topic, batch.partition)) {
      const offset = await readCommittedOffset(deps.db, deps.groupId, batch.topic, batch.partition)
      deps.ledger.learnCommittedOffset(batch.topic, batch.partition, offset)
    }
    const generation = deps.ledger.generation(batch.topic, batch.partition)

    // The read time: validation's "now" and the start of the pipeline delay the jobs carry.
    const plan = await planBatch(deps.decoder, kind, batch, deps.maxEventsPerJob, new Date())
    // The ceiling is taken per job, not per fetched batch (thousands of messages from a backlog):
    // what it paces is the aggregator's work, which then comes a job at a time instead of in bursts.
    const outsideJobs = batch.messages.length - plan.jobs.reduce((sum, job) => sum + job.data.offsets.length, 0)
    if (!(await waitForTurn(cap.take(outsideJobs, Date.now()), payload))) return
    for (const job of plan.jobs) {
      if (!(await waitForTurn(cap.take(job.data.offsets.length, Date.now()), payload))) return
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
      messageCount: batch.messages.length,
      retained: plan.retained,
      handedOnAt: Date.now(),
      jobs: plan.jobs.map((job) => ({ id: job.id, offsets: job.data.offsets })),
    }
    // Rewound meanwhile (Redis lost a job): kafkajs reads this batch again from the seek.
    const added = deps.ledger.add(batch.topic, batch.partition, generation, pending)
    if (!added.added) return
    if (added.regression !== undefined) reportRegression(deps, added.regression)
    payload.resolveOffset(lastOffset)
    record(deps, batch.topic, batch.partition, plan, batch.messages.length)
    await payload.heartbeat()
  }
}

function reportRegression(deps: BatchHandlerDeps, regression: OffsetRegression): void {
  deps.metrics.offsetRegressions.inc({ topic: regression.topic })
  deps.logger.warn(
    regression,
    'partition offsets went backwards (a fresh Kafka, a recreated topic or an offset reset): reading it as a new partition; ' +
      'messages already applied stay deduplicated by their ids, and the earlier batches still pending settle on their own',
  )
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
    const pendingBytes = deps.ledger.pendingBytes
    deps.metrics.backlog.set(backlog)
    if (backlog < deps.maxBacklogJobs && pending < deps.maxPendingMessages && pendingBytes < deps.maxPendingBytes) {
      hold.released()
      return true
    }
    if (backlog >= deps.maxBacklogJobs) hold.holding('queue backlog', { backlog, max: deps.maxBacklogJobs })
    else if (pending >= deps.maxPendingMessages) hold.holding('messages awaiting their commit', { pending, max: deps.maxPendingMessages })
    else hold.holding('bytes awaiting their commit', { pendingBytes, max: deps.maxPendingBytes })
    if (!payload.isRunning() || payload.isStale()) return false
    await payload.heartbeat()
    await sleep(BACKPRESSURE_POLL_MS)
  }
}

/** Waits `delayMs` under the rate cap, heartbeating. False: stop, we are shutting down or rebalancing. */
async function waitForTurn(delayMs: number, payload: EachBatchPayload): Promise<boolean> {
  for (let left = delayMs; left > 0; left -= BACKPRESSURE_POLL_MS) {
    if (!payload.isRunning() || payload.isStale()) return false
    await payload.heartbeat()
    await sleep(Math.min(left, BACKPRESSURE_POLL_MS))
  }
  return true
}

function record(deps: BatchHandlerDeps, topic: string, partition: number, plan: BatchPlan, consumed: number): void {
  deps.metrics.consumed.inc({ topic }, consumed)
  deps.metrics.enqueued.inc({ topic }, plan.accepted)
  deps.metrics.jobs.inc(plan.jobs.length)
  deps.metrics.pendingMessages.set(deps.ledger.pendingMessages)
  deps.metrics.pendingBytes.set(deps.ledger.pendingBytes)
  deps.logger.debug({ topic, partition, consumed, accepted: plan.accepted, jobs: plan.jobs.length }, 'batch handed on')
}

export interface ConsumerHooks {
  /** A rebalance started: stop committing until the new assignment. */
  readonly onRebalancing: () => void
  /** Joined with a new assignment: kafkajs reads every partition again from its committed offset. */
  readonly onJoined: () => void
}

/** Registered once, before the first join: the start may join several times (joinGroup). */
export function watchRebalances(consumer: Consumer, hooks: ConsumerHooks): void {
  consumer.on(consumer.events.REBALANCING, hooks.onRebalancing)
  consumer.on(consumer.events.GROUP_JOIN, hooks.onJoined)
}

/**
 * Connects, subscribes and runs the consumer, and resolves once it joined the group. kafkajs
 * reports a failed join (e.g. "Broker not connected" from a broker that dropped the connection
 * while the group coordinator was looked up) as a crash event, not as a rejection of run(): a
 * crash it will not restart from rejects here, so the start can try again (kafkajs has
 * disconnected the consumer by then); one it restarts from is waited out.
 */
export async function joinGroup(
  consumer: Consumer,
  topics: readonly string[],
  handler: ReturnType<typeof createBatchHandler>,
): Promise<void> {
  const listeners: (() => void)[] = []
  const joined = new Promise<void>((resolve, reject) => {
    listeners.push(consumer.on(consumer.events.GROUP_JOIN, () => resolve()))
    listeners.push(
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(event.payload.error)
      }),
    )
  })
  joined.catch(() => undefined) // rejected while run() is still awaited: reported below
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [...topics], fromBeginning: true })
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: handler })
    await joined
  } finally {
    for (const remove of listeners) remove()
  }
}
