/**
 * consume -> decode -> validate -> plan: what becomes of one partition batch. Kept apart
 * from kafkajs so the whole decision is testable without a broker.
 */
import {
  ingestJobId,
  toJobEvent,
  type DomainEvent,
  type DomainEventKind,
  type IngestBatchJob,
  type KafkaBatchSource,
} from '@event-analytics/contracts'
import type { KafkaMessage, Message } from 'kafkajs'
import type { AvroDecoder, BatchDecoder } from './decode/avro-decoder.js'
import type { MessageOutcome } from './decode/outcome.js'
import { deadLetterOf, retainMessage } from './dead-letter.js'
import { RetainedMessages } from './retained-messages.js'
import { validateRecord } from './validate/domain-event.js'

export interface PartitionBatch {
  readonly topic: string
  readonly partition: number
  readonly messages: readonly KafkaMessage[]
}

export interface PlannedJob {
  readonly id: string
  readonly data: IngestBatchJob
}

export interface BatchPlan {
  readonly jobs: readonly PlannedJob[]
  /** Decode and validation failures; sent when the offset is committed past them. */
  readonly deadLetters: readonly Message[]
  readonly accepted: number
  /** The bytes of the messages the jobs carry: PostgreSQL may still refuse one (APPLY_FAILED, dead-lettered from here). */
  readonly retained: RetainedMessages
}

function classifyMessage(decoder: BatchDecoder, kind: DomainEventKind, message: KafkaMessage, now: number): MessageOutcome {
  const decoded = decoder.decode(message.value)
  if (!('record' in decoded)) return decoded
  return validateRecord(kind, decoded.record, now)
}

export async function planBatch(
  decoder: AvroDecoder,
  kind: DomainEventKind,
  batch: PartitionBatch,
  maxEventsPerJob: number,
  now: Date,
): Promise<BatchPlan> {
  const batchDecoder = await decoder.forBatch(
    kind,
    batch.messages.map((message) => message.value),
  )
  const { accepted, carried, deadLetters } = classifyBatch(batchDecoder, kind, batch, now)
  const first = batch.messages[0]?.offset ?? '0'
  const last = batch.messages[batch.messages.length - 1]?.offset ?? first
  const source = { topic: batch.topic, partition: batch.partition, firstOffset: first, lastOffset: last }
  return {
    jobs: chunkIntoJobs(source, accepted, maxEventsPerJob, now.getTime()),
    deadLetters,
    accepted: accepted.length,
    retained: RetainedMessages.of(carried),
  }
}

/** The per-message loop, synchronous: no promise per message, and V8 optimises the loop as one piece. */
function classifyBatch(decoder: BatchDecoder, kind: DomainEventKind, batch: PartitionBatch, now: Date) {
  const accepted: AcceptedEvent[] = []
  const carried: KafkaMessage[] = []
  const deadLetters: Message[] = []
  const nowMs = now.getTime()
  for (const message of batch.messages) {
    const outcome = classifyMessage(decoder, kind, message, nowMs)
    if ('accepted' in outcome) {
      accepted.push({ event: outcome.accepted, offset: message.offset })
      carried.push(message)
    } else deadLetters.push(deadLetterOf(batch, retainMessage(message), outcome.rejected, now))
  }
  return { accepted, carried, deadLetters }
}

export interface AcceptedEvent {
  readonly event: DomainEvent
  /** Its Kafka offset. */
  readonly offset: string
}

/**
 * Deterministic ids (see `ingestJobId`): the same batch planned again yields the same jobs and ids.
 * `readAt` (epoch ms, when the batch was read from Kafka) travels with each job: the pipeline
 * delay starts there. A re-planned batch carries a later one, but its ids are those of the jobs
 * already enqueued, so BullMQ keeps the first.
 */
export function chunkIntoJobs(
  source: KafkaBatchSource,
  accepted: readonly AcceptedEvent[],
  maxEventsPerJob: number,
  readAt: number,
): PlannedJob[] {
  const jobs: PlannedJob[] = []
  for (let start = 0; start < accepted.length; start += maxEventsPerJob) {
    const part = accepted.slice(start, start + maxEventsPerJob)
    const data: IngestBatchJob = { source, events: part.map((a) => toJobEvent(a.event)), offsets: part.map((a) => a.offset), readAt }
    jobs.push({ id: ingestJobId(data, Math.floor(start / maxEventsPerJob)), data })
  }
  return jobs
}
