/**
 * The kafkajs side: one consumer group over the four topics, one partition batch at a time.
 * A batch's dead letters and its offset commit go out in ONE Kafka transaction, after its
 * jobs are enqueued: a crash before the commit replays the batch (same job ids, and the
 * aggregator drops applied message ids), and aborted dead letters are invisible to
 * read_committed readers, so each bad message is dead-lettered exactly once.
 */
import type { DomainEventKind, Logger } from '@event-analytics/contracts'
import type { Consumer, EachBatchPayload, Producer } from 'kafkajs'
import type { AvroDecoder } from './decode/avro-decoder.js'
import type { IngestMetrics } from './metrics.js'
import { planBatch, type BatchPlan } from './pipeline.js'
import type { IngestQueue } from './queue.js'
import { retryConcurrentTransactions } from './transaction-retry.js'

export interface BatchHandlerDeps {
  readonly topics: ReadonlyMap<string, DomainEventKind>
  readonly deadLetterTopic: string
  readonly groupId: string
  readonly decoder: AvroDecoder
  readonly queue: IngestQueue
  readonly producer: Producer
  readonly metrics: IngestMetrics
  readonly logger: Logger
  readonly maxEventsPerJob: number
  readonly maxBacklogJobs: number
}

const BACKPRESSURE_POLL_MS = 200

export function createBatchHandler(deps: BatchHandlerDeps) {
  return async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload
    const kind = deps.topics.get(batch.topic)
    if (kind === undefined || batch.messages.length === 0) return

    const plan = await planBatch(deps.decoder, kind, batch, deps.maxEventsPerJob, new Date())
    for (const job of plan.jobs) {
      // Checked per job, so a large batch cannot push the backlog far past the bound.
      if (!(await waitForBacklog(deps, payload))) return
      const stopEnqueueTimer = deps.metrics.enqueueLatency.startTimer()
      await deps.queue.enqueue([job])
      stopEnqueueTimer()
    }
    const lastOffset = batch.messages[batch.messages.length - 1]!.offset
    await commitWithDeadLetters(deps, batch.topic, batch.partition, lastOffset, plan)

    payload.resolveOffset(lastOffset)
    record(deps, batch.topic, batch.partition, plan, batch.messages.length, batch.offsetLag())
    await payload.heartbeat()
  }
}

/** Holds the batch (heartbeating) while the queue backlog is at the bound. False: stop, we are shutting down or rebalancing. */
async function waitForBacklog(deps: BatchHandlerDeps, payload: EachBatchPayload): Promise<boolean> {
  for (;;) {
    const backlog = await deps.queue.backlog()
    deps.metrics.backlog.set(backlog)
    if (backlog < deps.maxBacklogJobs) {
      deps.metrics.backpressure.set(0)
      return true
    }
    deps.metrics.backpressure.set(1)
    if (!payload.isRunning() || payload.isStale()) return false
    await payload.heartbeat()
    await new Promise((resolve) => setTimeout(resolve, BACKPRESSURE_POLL_MS))
  }
}

async function commitWithDeadLetters(
  deps: BatchHandlerDeps,
  topic: string,
  partition: number,
  lastOffset: string,
  plan: BatchPlan,
): Promise<void> {
  const transaction = await deps.producer.transaction()
  try {
    if (plan.deadLetters.length > 0) {
      await transaction.send({ topic: deps.deadLetterTopic, messages: [...plan.deadLetters] })
    }
    const next = (BigInt(lastOffset) + 1n).toString()
    const offsets = { consumerGroupId: deps.groupId, topics: [{ topic, partitions: [{ partition, offset: next }] }] }
    // Usually the first call of the transaction, so the one that meets the previous commit's markers.
    await retryConcurrentTransactions(() => transaction.sendOffsets(offsets), () => deps.metrics.transactionRetries.inc())
    await transaction.commit()
  } catch (error) {
    await transaction.abort().catch((abortError: unknown) => deps.logger.warn({ err: abortError }, 'transaction abort failed'))
    throw error
  }
}

function record(deps: BatchHandlerDeps, topic: string, partition: number, plan: BatchPlan, consumed: number, lag: string): void {
  deps.metrics.consumed.inc({ topic }, consumed)
  deps.metrics.enqueued.inc({ topic }, plan.accepted)
  deps.metrics.jobs.inc(plan.jobs.length)
  deps.metrics.consumerLag.set({ topic, partition: String(partition) }, Number(lag))
  for (const letter of plan.deadLetters) {
    const code = letter.headers?.['x-error-code']
    deps.metrics.deadLettered.inc({ topic, code: String(code) })
    deps.logger.warn({ topic, partition, offset: letter.headers?.['x-source-offset'], code, reason: String(letter.headers?.['x-error-message']) }, 'dead-lettered')
  }
  deps.logger.debug({ topic, partition, consumed, accepted: plan.accepted, jobs: plan.jobs.length }, 'batch handed on')
}

export async function runConsumer(consumer: Consumer, topics: readonly string[], handler: ReturnType<typeof createBatchHandler>): Promise<void> {
  await consumer.connect()
  await consumer.subscribe({ topics: [...topics], fromBeginning: true })
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: handler })
}
