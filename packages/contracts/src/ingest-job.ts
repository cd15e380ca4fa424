/**
 * The hand-over between ingest-worker and aggregator: one BullMQ job per consumed Kafka
 * partition batch, so the per-job cost of BullMQ is paid once per batch, not per message.
 */
import { createHash } from 'node:crypto'
import type { DomainEvent, ParticipantRegistered } from './events.js'

/**
 * The default of QUEUE_NAME, the one queue-name setting the ingest worker (producer), the
 * aggregator (consumer) and the API's board all read: a name set for one only would leave the
 * aggregator waiting on an empty queue.
 */
export const INGEST_QUEUE_NAME = 'analytics-ingest'

/** The default of BULLMQ_PREFIX, the key prefix of that queue (the same in every service). */
export const DEFAULT_BULLMQ_PREFIX = 'bull'

export interface KafkaBatchSource {
  readonly topic: string
  readonly partition: number
  /** Offsets are strings as in kafkajs: int64 does not fit a JS number. */
  readonly firstOffset: string
  readonly lastOffset: string
}

/**
 * A ParticipantRegistered as a job carries it: its fields by position, so the job's JSON does not
 * repeat six field names for nearly every message (about 40 % of a job's bytes, which cross Redis
 * twice and are serialized and parsed once each). Every other kind travels as its object, and an
 * aggregator reads a ParticipantRegistered object as well (jobs of an ingest worker older than the
 * tuple). An older aggregator cannot read the tuple: upgrade aggregators before ingest workers.
 */
export type ParticipantTuple = readonly [
  messageId: string,
  occurredAt: number,
  eventId: string,
  participantId: string,
  channelName: string | null,
]

/** What a job's `events` holds: a message as its object, or a ParticipantRegistered as its tuple. */
export type JobEvent = DomainEvent | ParticipantTuple

/** The form the ingest worker enqueues a message in. */
export function toJobEvent(event: DomainEvent): JobEvent {
  if (event.kind !== 'ParticipantRegistered') return event
  return [event.messageId, event.occurredAt, event.eventId, event.participantId, event.channelName]
}

/**
 * A job's element as the message object: a tuple of the right length becomes its
 * ParticipantRegistered; anything else is returned as it is, for the reader's own checks (the
 * tuple's values are not checked here either: the ingest worker validated them).
 */
export function fromJobEvent(value: unknown): unknown {
  if (!Array.isArray(value) || value.length !== 5) return value
  const [messageId, occurredAt, eventId, participantId, channelName] = value as unknown[]
  return { kind: 'ParticipantRegistered', messageId, occurredAt, eventId, participantId, channelName } as Record<
    keyof ParticipantRegistered,
    unknown
  >
}

/** Whether a job's element is a ParticipantRegistered tuple (every other element is an object). */
export function isParticipantTuple(event: JobEvent): event is ParticipantTuple {
  return Array.isArray(event)
}

function messageIdOf(event: JobEvent): string {
  return isParticipantTuple(event) ? event[0] : event.messageId
}

export interface IngestBatchJob {
  readonly source: KafkaBatchSource
  readonly events: readonly JobEvent[]
  /**
   * The Kafka offset of each event (same index): what an APPLY_FAILED dead letter is
   * addressed by. Offsets are not contiguous (dead letters and control records sit between).
   */
  readonly offsets: readonly string[]
  /**
   * When the ingest worker read the batch from Kafka (epoch ms): where the pipeline's own delay
   * starts (the aggregator keeps commit time minus this per event, docs/SPEC.md section 9).
   * Absent in jobs enqueued by an ingest worker older than this field; the delay is then unknown.
   */
  readonly readAt?: number
}

/**
 * A job's identity: where its messages sit in Kafka and which messages they are, as
 * `topic|partition|first-last|chunk|digest`.
 *
 * Offsets name a message only within one incarnation of one topic on one cluster: a fresh
 * Kafka, a recreated topic or an offset reset puts other messages at the same offsets, and
 * everything keyed by the job id (BullMQ's job, `settled_jobs`, `apply_failures`, the ingest
 * worker's hand-over ledger) would take them for the settled ones and commit past them unapplied.
 * So the id ends with a digest of the job's (offset, message id) pairs:
 * - the same batch read again (a crash, a rewind, a rebalance) plans the same job and the same
 *   id, so BullMQ's `add` is a no-op and a settled job is recognised;
 * - other messages at the same offsets make another id, so no settlement and no completed or
 *   failed BullMQ job of an earlier incarnation is mistaken for them;
 * - the same message ids at the same offsets (a topic copied into a new cluster) make the same
 *   id, and rightly: by the SPEC's idempotency key they are the same messages, and what their
 *   settlement says (applied, or refused at an offset) holds for them unchanged.
 * Offsets are in the digest because apply failures are addressed by offset. 128 bits of
 * SHA-256: a collision between two jobs of one partition range is negligible (~2^-128 a pair)
 * and cannot be crafted. The readable prefix is for people reading the queue or the table.
 * ':' is reserved by BullMQ's keys, so '|' separates.
 */
export function ingestJobId(job: IngestBatchJob, chunk: number): string {
  const { source } = job
  // One update of the whole text hashes the same bytes as one per pair, for one call instead of thousands.
  let pairs = ''
  job.events.forEach((event, index) => {
    pairs += `${job.offsets[index] ?? ''}\u0000${messageIdOf(event)}\n`
  })
  const digest = createHash('sha256').update(pairs).digest('hex').slice(0, 32)
  return `${source.topic}|${source.partition}|${source.firstOffset}-${source.lastOffset}|${chunk}|${digest}`
}
