/**
 * Minimal structural check of a job's payload. The ingest worker validated every field; this
 * only guards the aggregator against payloads it cannot even address (no messageId, no kind),
 * which are failed as poison without reaching PostgreSQL.
 */
import { DOMAIN_EVENT_KINDS, fromJobEvent, type IngestBatchJob } from '@event-analytics/contracts'

const KINDS = new Set<string>(DOMAIN_EVENT_KINDS)

export function messagesOf(data: unknown): readonly unknown[] {
  if (typeof data !== 'object' || data === null) throw new TypeError('job data is not an IngestBatchJob object')
  const events = (data as Partial<IngestBatchJob>).events
  if (!Array.isArray(events)) throw new TypeError('job data has no events array')
  return events
}

export interface JobPayload {
  readonly messages: readonly unknown[]
  readonly offsets: readonly string[]
  /** When the ingest worker read the job's batch (epoch ms); undefined when the job does not say. */
  readonly readAt: number | undefined
}

/** The messages of a job (as objects) with the Kafka offset of each; throws when the payload cannot be read. */
export function payloadOf(data: unknown): JobPayload {
  const messages = messagesOf(data).map(fromJobEvent)
  const { offsets, readAt } = data as Partial<IngestBatchJob>
  if (!Array.isArray(offsets) || offsets.length !== messages.length || !offsets.every((o) => typeof o === 'string' && /^\d+$/.test(o))) {
    throw new TypeError('job data has no offsets array matching its events')
  }
  // Optional (older ingest workers did not stamp it); a bad one only makes the delay unknown.
  return { messages, offsets, readAt: typeof readAt === 'number' && Number.isFinite(readAt) ? readAt : undefined }
}

/** The problem with `value` as a DomainEvent envelope, or null when it is addressable. */
export function envelopeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'message is neither an object nor a participant tuple'
  const message = value as Record<string, unknown>
  if (typeof message['messageId'] !== 'string' || message['messageId'] === '') return 'message has no messageId'
  if (typeof message['kind'] !== 'string' || !KINDS.has(message['kind'])) return `unknown kind ${String(message['kind'])}`
  if (typeof message['eventId'] !== 'string') return `message ${message['messageId']} has no eventId`
  if (typeof message['occurredAt'] !== 'number' || !Number.isFinite(message['occurredAt'])) {
    return `message ${message['messageId']} has no valid occurredAt`
  }
  return null
}
