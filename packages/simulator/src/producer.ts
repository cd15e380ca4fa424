/**
 * Produces DomainEvents the way an upstream service does: Avro through the Schema Registry
 * (TopicNameStrategy subjects), Confluent framing, key = eventId.
 */
import { DEFAULT_TOPICS, avroOptions, readerSchema, valueSubject, type DomainEvent, type DomainEventKind } from '@event-analytics/contracts'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { CompressionTypes, Kafka, logLevel, type Message, type Producer } from 'kafkajs'

export interface EventProducerOptions {
  readonly brokers: readonly string[]
  readonly registryUrl: string
  readonly topics?: Readonly<Record<DomainEventKind, string>>
  readonly clientId?: string
}

export interface EventProducer {
  readonly topics: Readonly<Record<DomainEventKind, string>>
  /** Encodes and sends; resolves when the broker acknowledged every message. */
  send(events: readonly DomainEvent[]): Promise<void>
  /** Sends raw, already-framed bytes (for bad-input scenarios). */
  sendRaw(topic: string, messages: readonly Message[]): Promise<void>
  /** Registered schema id of a kind's subject. */
  schemaId(kind: DomainEventKind): Promise<number>
  readonly registry: SchemaRegistry
  close(): Promise<void>
}

export async function createEventProducer(options: EventProducerOptions): Promise<EventProducer> {
  const topics = options.topics ?? DEFAULT_TOPICS
  const registry = new SchemaRegistry({ host: options.registryUrl }, { [SchemaType.AVRO]: { logicalTypes: avroOptions().logicalTypes } })
  const kafka = new Kafka({ clientId: options.clientId ?? 'event-simulator', brokers: [...options.brokers], logLevel: logLevel.NOTHING })
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true })
  await producer.connect()
  const ids = new Map<DomainEventKind, Promise<number>>()

  const schemaId = (kind: DomainEventKind): Promise<number> => {
    let id = ids.get(kind)
    if (!id) {
      const schema = JSON.stringify(readerSchema(kind))
      id = registry.register({ type: SchemaType.AVRO, schema }, { subject: valueSubject(topics[kind]) }).then((result) => result.id)
      ids.set(kind, id)
    }
    return id
  }

  return {
    topics,
    registry,
    schemaId,
    async send(events) {
      const byTopic = new Map<string, Message[]>()
      for (const event of events) {
        const { kind, ...fields } = event
        const value = await registry.encode(await schemaId(kind), fields)
        const topic = topics[kind]
        const list = byTopic.get(topic) ?? []
        list.push({ key: event.eventId, value })
        byTopic.set(topic, list)
      }
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
    },
    async sendRaw(topic, messages) {
      await producer.send({ topic, acks: -1, messages: [...messages] })
    },
    async close() {
      await producer.disconnect()
    },
  }
}
