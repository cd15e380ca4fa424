/**
 * The topic audit's I/O: reads what Kafka holds (every source partition from its earliest
 * retained offset, and the whole dead-letter topic, read_committed), asks PostgreSQL which
 * message ids are claimed, and reconciles each partition. Read-only: its consumers use a
 * throwaway group, deleted afterwards, and commit nothing.
 */
import { createHash } from 'node:crypto'
import type { DomainEventKind } from '@event-analytics/contracts'
import { findClaimedMessageIds, type Database } from '@event-analytics/db'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { retry } from '@event-analytics/ops'
import type { Kafka } from 'kafkajs'
import type { Kysely } from 'kysely'
import { committedOffsets } from '../committer.js'
import { isRetriableKafkaError, readTopicToEnd } from '../topic-reads.js'
import { AvroDecoder } from '../decode/avro-decoder.js'
import { deadLetterPlace, reconcile, type PartitionAudit, type SourceMessage } from './reconcile.js'

export interface TopicAuditOptions {
  readonly kafka: Kafka
  readonly registry: SchemaRegistry
  readonly db: Kysely<Database>
  /** The ingest consumer group whose committed offsets separate "in flight" from "missing". */
  readonly groupId: string
  readonly topics: ReadonlyMap<string, DomainEventKind>
  readonly deadLetterTopic: string
  /**
   * A partition is read once its high watermark is reached, or after this long without a new
   * message (a transaction marker can be a partition's last offset). Default 3000 ms.
   */
  readonly idleMs?: number
}

/**
 * The audit; a retriable Kafka answer (a leader moving, metadata not yet propagated) starts
 * it again, up to five times in all: it only reads, so a repeat is harmless.
 */
export function auditTopics(options: TopicAuditOptions): Promise<PartitionAudit[]> {
  return retry(() => auditOnce(options), { shouldRetry: isRetriableKafkaError })
}

async function auditOnce(options: TopicAuditOptions): Promise<PartitionAudit[]> {
  const idleMs = options.idleMs ?? 3000
  const decoder = new AvroDecoder(options.registry)
  const letters = await readTopicToEnd(options.kafka, options.deadLetterTopic, idleMs)
  const deadLetters = new Map<string, string[]>()
  for (const message of [...letters.values()].flat()) {
    const headers = message.headers ?? {}
    const place = deadLetterPlace(
      String(headers['x-source-topic']),
      String(headers['x-source-partition']),
      String(headers['x-source-offset']),
    )
    deadLetters.set(place, [...(deadLetters.get(place) ?? []), digest(message.value)])
  }
  const admin = options.kafka.admin()
  await admin.connect()
  const committed = await (async () => {
    // Kafka refuses offsets of a topic it does not have; such a topic holds nothing to audit.
    const existing = new Set(await admin.listTopics())
    return committedOffsets(
      admin,
      options.groupId,
      [...options.topics.keys()].filter((topic) => existing.has(topic)),
    )
  })().finally(() => admin.disconnect())
  const audits: PartitionAudit[] = []
  for (const [topic, kind] of options.topics) {
    for (const [partition, messages] of await readTopicToEnd(options.kafka, topic, idleMs)) {
      const held: SourceMessage[] = []
      const batchDecoder = await decoder.forBatch(
        kind,
        messages.map((message) => message.value),
      )
      for (const message of messages) {
        const decoded = batchDecoder.decode(message.value)
        const messageId = 'record' in decoded && typeof decoded.record['messageId'] === 'string' ? decoded.record['messageId'] : null
        held.push({ offset: message.offset, valueDigest: digest(message.value), messageId })
      }
      const claimed = await findClaimedMessageIds(
        options.db,
        held.flatMap((m) => (m.messageId === null ? [] : [m.messageId])),
      )
      const floor = committed.get(`${topic}\u0000${partition}`) ?? -1n
      audits.push(reconcile({ topic, partition, messages: held, committed: floor }, deadLetters, claimed))
    }
  }
  return audits.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
}

function digest(value: Buffer | null): string {
  return createHash('sha256')
    .update(value ?? Buffer.alloc(0))
    .digest('hex')
}
