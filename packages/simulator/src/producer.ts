/**
 * Produces DomainEvents the way an upstream service does: Avro through the Schema Registry
 * (TopicNameStrategy subjects), Confluent framing, key = eventId.
 */
import {
  DEFAULT_TOPICS,
  avroOptions,
  readerSchema,
  valueSubject,
  type AvroSchema,
  type DomainEvent,
  type DomainEventKind,
} from '@event-analytics/contracts'
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
  /**
   * Encodes with an older (or other) writer schema of the events' kind, registered under the
   * kind's subject first: how a producer that predates a schema change keeps writing. Fields
   * the schema lacks are left out. All events must be of one kind.
   */
  sendWithWriterSchema(schema: AvroSchema, events: readonly DomainEvent[]): Promise<number>
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
    async sendWithWriterSchema(schema, events) {
      const kind = events[0]?.kind
      if (kind === undefined) throw new Error('sendWithWriterSchema needs at least one event')
      if (events.some((event) => event.kind !== kind)) throw new Error('sendWithWriterSchema sends one kind at a time')
      const subject = valueSubject(topics[kind])
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject })
      const names = new Set((schema as { fields?: { name: string }[] }).fields?.map((field) => field.name))
      const messages: Message[] = []
      for (const event of events) {
        const fields = Object.fromEntries(Object.entries(event).filter(([name]) => names.has(name)))
        messages.push({ key: event.eventId, value: await registry.encode(id, fields) })
      }
      await producer.send({ topic: topics[kind], acks: -1, messages })
      return id
    },
    async sendRaw(topic, messages) {
      await producer.send({ topic, acks: -1, messages: [...messages] })
    },
    async close() {
      await producer.disconnect()
    },
  }
}
