/**
 * Test harness on the real stack: unique topics, group, queue prefix, transactional id and
 * database per test file, so files can run in parallel against one broker, registry, Redis
 * and PostgreSQL. Offsets (and dead letters) are committed only once PostgreSQL settled the
 * jobs: tests that wait for them start a real aggregator with `startAggregator()`.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import {
  INGEST_QUEUE_NAME,
  readerSchema,
  valueSubject,
  type AvroSchema,
  type DomainEventKind,
  fromJobEvent,
  type DomainEvent,
  type IngestBatchJob,
} from '@event-analytics/contracts'
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { Queue } from 'bullmq'
import { Kafka, logLevel, type KafkaMessage, type Producer } from 'kafkajs'
import { Redis } from 'ioredis'
import { createAggregator, loadAggregatorConfig, type Aggregator } from '@event-analytics/aggregator'
import { createTestDatabase, type TestDatabase } from '@event-analytics/db/testing'
import { committedThroughEnd, createSchemaRegistry, loadIngestConfig, readTopicToEnd, type IngestConfig } from '../../src/index.js'

export const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'
export const REGISTRY_URL = process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7'
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'
/** Test consumers' fetch wait: their disconnect waits for the fetch in flight (kafkajs' default: 5 s). */
export const TEST_FETCH_MAX_WAIT_MS = 500

export type QueuedJob = Omit<IngestBatchJob, 'events'> & { readonly events: readonly DomainEvent[] }

export interface Harness {
  readonly config: IngestConfig
  readonly env: Record<string, string>
  readonly kafka: Kafka
  readonly registry: SchemaRegistry
  readonly topics: Record<DomainEventKind, string>
  readonly database: TestDatabase
  /** A real aggregator on this harness's queue and database (closed by close()). */
  startAggregator(redisUrl?: string): Promise<Aggregator>
  producer(): Promise<Producer>
  register(kind: DomainEventKind, schema?: AvroSchema, subject?: string): Promise<number>
  queue(): Queue<IngestBatchJob>
  /** The queued jobs with their events as the aggregator reads them (objects, tuples decoded). */
  jobs(): Promise<QueuedJob[]>
  /**
   * Every dead letter, once the worker has committed every input message: it sends each dead
   * letter in the transaction that commits its source offset, so none can follow.
   */
  deadLetters(timeoutMs?: number): Promise<KafkaMessage[]>
  close(): Promise<void>
}

export async function createHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const run = `t${randomUUID().slice(0, 8)}`
  const database = await createTestDatabase()
  const aggregators: Aggregator[] = []
  const topics: Record<DomainEventKind, string> = {
    EventCreated: `${run}.event-created`,
    EventStatusChanged: `${run}.event-status-changed`,
    DistributionCompleted: `${run}.distribution-completed`,
    ParticipantRegistered: `${run}.participant-registered`,
  }
  const env: Record<string, string> = {
    KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: REGISTRY_URL,
    REDIS_URL,
    KAFKA_GROUP_ID: `${run}-ingest`,
    KAFKA_TRANSACTIONAL_ID: `${run}-ingest-tx`,
    BULLMQ_PREFIX: `${run}-bull`,
    TOPIC_EVENT_CREATED: topics.EventCreated,
    TOPIC_EVENT_STATUS_CHANGED: topics.EventStatusChanged,
    TOPIC_DISTRIBUTION_COMPLETED: topics.DistributionCompleted,
    TOPIC_PARTICIPANT_REGISTERED: topics.ParticipantRegistered,
    TOPIC_DEAD_LETTER: `${run}.dlq`,
    INGEST_OPS_PORT: '0',
    // a consumer's disconnect waits for its fetch in flight: 0.5 s instead of kafkajs' 5 s per close
    KAFKA_FETCH_MAX_WAIT_MS: String(TEST_FETCH_MAX_WAIT_MS),
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    ...overrides,
  }
  const config = loadIngestConfig(env)
  const kafka = new Kafka({ clientId: `${run}-test`, brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING })
  const registry = createSchemaRegistry(REGISTRY_URL)
  const producers: Producer[] = []
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue<IngestBatchJob>(INGEST_QUEUE_NAME, { connection, prefix: config.BULLMQ_PREFIX })

  return {
    config,
    env,
    kafka,
    registry,
    topics,
    database,
    async startAggregator(redisUrl = config.REDIS_URL) {
      // The aggregator's own config loader and defaults; only what this harness isolates is set.
      const { channelMetrics: _off, ...aggregatorConfig } = loadAggregatorConfig({
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        BULLMQ_PREFIX: config.BULLMQ_PREFIX,
        AGGREGATOR_BATCH_MAX_MESSAGES: '500',
        AGGREGATOR_BATCH_MAX_WAIT_MS: '20',
        LOG_LEVEL: 'silent',
      })
      const aggregator = createAggregator({ ...aggregatorConfig, opsPort: null }, { defaultMetrics: false })
      aggregators.push(aggregator)
      await aggregator.start()
      return aggregator
    },
    async producer() {
      const producer = kafka.producer({ allowAutoTopicCreation: true })
      await producer.connect()
      producers.push(producer)
      return producer
    },
    async register(kind, schema = readerSchema(kind), subject = valueSubject(topics[kind])) {
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject })
      return id
    },
    queue: () => queue,
    async jobs() {
      const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized'], 0, -1)
      return jobs.map((job) => ({ ...job.data, events: job.data.events.map(fromJobEvent) as DomainEvent[] }))
    },
    async deadLetters(timeoutMs = 60_000) {
      const admin = kafka.admin()
      await admin.connect()
      try {
        const inputs = Object.values(topics)
        await waitFor(
          'the worker committed every input message',
          async () => ((await committedThroughEnd(admin, config.KAFKA_GROUP_ID, inputs)) ? true : undefined),
          timeoutMs,
        )
      } finally {
        await admin.disconnect()
      }
      return [...(await readTopicToEnd(kafka, config.TOPIC_DEAD_LETTER)).values()].flat()
    },
    async close() {
      await Promise.all(aggregators.map((aggregator) => aggregator.close()))
      await Promise.all(producers.map((producer) => producer.disconnect()))
      await queue.pause()
      await queue.obliterate({ force: true })
      await queue.close()
      connection.disconnect()
      await database.drop()
    },
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(200)
  }
}
