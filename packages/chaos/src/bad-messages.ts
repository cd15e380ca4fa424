/**
 * Bad input mixed into the stream: one or more messages for every dead-letter code. Each
 * carries a unique Kafka key (the dead letter keeps the original key), so the suite can
 * check that every one of them is dead-lettered exactly once with the expected code.
 */
import { readerSchema, valueSubject, type AvroSchema, type DomainEventKind } from '@event-analytics/contracts'
import { frameConfluent } from '@event-analytics/ingest-worker'
import type { EventProducer } from '@event-analytics/simulator'
import { SchemaType } from '@kafkajs/confluent-schema-registry'

export type DeadLetterCode = 'DECODE_FAILED' | 'UNKNOWN_SCHEMA' | 'INCOMPATIBLE_SCHEMA' | 'INVALID_FIELD'

export interface BadMessage {
  readonly key: string
  readonly topic: string
  readonly value: Buffer
  readonly code: DeadLetterCode
  /** What is wrong with it, for the report. */
  readonly variant: string
}

/** Pure byte manipulations of a valid Confluent-framed message. */
export const wrongMagicByte = (framed: Buffer): Buffer => Buffer.concat([Buffer.from([1]), framed.subarray(1)])
export const truncatedBody = (framed: Buffer): Buffer => framed.subarray(0, Math.max(6, framed.length - 8))
export const unknownSchemaId = (framed: Buffer, schemaId: number): Buffer => frameConfluent(schemaId, framed.subarray(5))

/** A reader schema with `status` changed to int: resolvable into nothing the worker reads. */
export function incompatibleStatusSchema(): AvroSchema {
  const copy = structuredClone(readerSchema('EventStatusChanged')) as unknown as { fields: Record<string, unknown>[] }
  copy.fields = copy.fields.map((field) => (field['name'] === 'status' ? { name: 'status', type: 'int' } : field))
  return copy as unknown as AvroSchema
}

export interface BadMessageFactory {
  /** `count` bad messages, cycling through every variant (so count >= 8 covers all). */
  next(count: number): Promise<BadMessage[]>
}

const VARIANTS = [
  'wrong magic byte',
  'truncated Avro',
  'unknown schema id',
  'incompatible writer schema',
  'negative totalInvestment',
  'eventId of 37 characters',
  'distribution without channels',
  'occurredAt 2 days ahead',
] as const

export function badMessageFactory(producer: EventProducer, run: string): BadMessageFactory {
  const topics = producer.topics
  let incompatibleId: Promise<number> | undefined
  let sequence = 0
  const encode = async (kind: DomainEventKind, fields: Record<string, unknown>): Promise<Buffer> =>
    producer.registry.encode(await producer.schemaId(kind), fields)
  const envelope = (n: number) => ({ messageId: `${run}-bad-${n}`, occurredAt: Date.now() - 60_000, eventId: `${run}-bad` })
  const build = async (variant: (typeof VARIANTS)[number], n: number): Promise<Omit<BadMessage, 'key' | 'variant'>> => {
    const participant = () => encode('ParticipantRegistered', { ...envelope(n), participantId: `bad-${n}`, channelName: 'INSTAGRAM' })
    switch (variant) {
      case 'wrong magic byte':
        return { topic: topics.ParticipantRegistered, value: wrongMagicByte(await participant()), code: 'DECODE_FAILED' }
      case 'truncated Avro':
        return { topic: topics.ParticipantRegistered, value: truncatedBody(await participant()), code: 'DECODE_FAILED' }
      case 'unknown schema id':
        return { topic: topics.ParticipantRegistered, value: unknownSchemaId(await participant(), 987_654_321), code: 'UNKNOWN_SCHEMA' }
      case 'incompatible writer schema': {
        incompatibleId ??= producer.registry
          .register(
            { type: SchemaType.AVRO, schema: JSON.stringify(incompatibleStatusSchema()) },
            { subject: valueSubject(`${topics.EventStatusChanged}-broken`) },
          )
          .then((result) => result.id)
        const value = await producer.registry.encode(await incompatibleId, { ...envelope(n), status: 7 })
        return { topic: topics.EventStatusChanged, value, code: 'INCOMPATIBLE_SCHEMA' }
      }
      case 'negative totalInvestment':
        return {
          topic: topics.EventCreated,
          code: 'INVALID_FIELD',
          value: await encode('EventCreated', {
            ...envelope(n),
            userId: `${run}-bad-owner`,
            title: 'bad',
            totalInvestment: '-1.00',
            expectedRevenue: '1.00',
            expectedParticipants: 1,
            targetRoi: '1.00',
            salesGrowthRate: null,
          }),
        }
      case 'eventId of 37 characters':
        return {
          topic: topics.ParticipantRegistered,
          code: 'INVALID_FIELD',
          value: await encode('ParticipantRegistered', {
            ...envelope(n),
            eventId: 'x'.repeat(37),
            participantId: `bad-${n}`,
            channelName: null,
          }),
        }
      case 'distribution without channels':
        return {
          topic: topics.DistributionCompleted,
          code: 'INVALID_FIELD',
          value: await encode('DistributionCompleted', { ...envelope(n), channels: [] }),
        }
      case 'occurredAt 2 days ahead':
        return {
          topic: topics.EventStatusChanged,
          code: 'INVALID_FIELD',
          value: await encode('EventStatusChanged', { ...envelope(n), occurredAt: Date.now() + 2 * 86_400_000, status: 'ENDED' }),
        }
    }
  }
  return {
    async next(count) {
      const out: BadMessage[] = []
      for (let index = 0; index < count; index += 1) {
        const n = (sequence += 1)
        const variant = VARIANTS[(n - 1) % VARIANTS.length]!
        out.push({ key: `${run}-bad-${n}`, variant, ...(await build(variant, n)) })
      }
      return out
    },
  }
}

export const BAD_VARIANTS = VARIANTS.length
