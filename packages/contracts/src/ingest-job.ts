/**
 * The hand-over between ingest-worker and aggregator: one BullMQ job per consumed Kafka
 * partition batch, so the per-job cost of BullMQ is paid once per batch, not per message.
 */
import type { DomainEvent } from './events.js'

export const INGEST_QUEUE_NAME = 'analytics-ingest'

export interface KafkaBatchSource {
  readonly topic: string
  readonly partition: number
  /** Offsets are strings as in kafkajs: int64 does not fit a JS number. */
  readonly firstOffset: string
  readonly lastOffset: string
}

export interface IngestBatchJob {
  readonly source: KafkaBatchSource
  readonly events: readonly DomainEvent[]
  /**
   * The Kafka offset of each event (same index): what an APPLY_FAILED dead letter is
   * addressed by. Offsets are not contiguous (dead letters and control records sit between).
   */
  readonly offsets: readonly string[]
}

/**
 * Deterministic job id: an enqueue repeated after a crash (same batch, same offsets)
 * is a no-op in BullMQ instead of a duplicate job. ':' is reserved by BullMQ's keys.
 */
export function ingestJobId(source: KafkaBatchSource): string {
  return `${source.topic}|${source.partition}|${source.firstOffset}-${source.lastOffset}`
}
