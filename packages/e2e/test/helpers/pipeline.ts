/**
 * The whole system in one process, isolated per run: unique topics, consumer group,
 * transactional id and BullMQ prefix, a fresh database; the query API answers through
 * app.inject. The API's Redis has no key prefix because the aggregator invalidates the
 * real cache keys: runs stay apart through unique event ids (scenario id prefix).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import { INGEST_QUEUE_NAME, type DomainEventKind } from '@event-analytics/contracts'
import { clusterQueuePrefix, createRedisClient, type RedisClient, type RedisEndpoint } from '@event-analytics/ops'
import { createAggregator, loadAggregatorConfig, type Aggregator } from '@event-analytics/aggregator'
import { createTestDatabase, type TestDatabase } from '@event-analytics/db/testing'
import { createIngestWorker, loadIngestConfig, type IngestWorker } from '@event-analytics/ingest-worker'
import { buildApp, loadApiConfig, signDevToken } from '@event-analytics/query-api'
import { createEventProducer, type EventProducer } from '@event-analytics/simulator'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import { Kafka, logLevel, type Admin } from 'kafkajs'

export const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'
export const REGISTRY_URL = process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7'
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'
export const JWT_SECRET = 'e2e-secret-0123456789-0123456789-abcdef'

export interface Pipeline {
  readonly run: string
  readonly topics: Record<DomainEventKind, string>
  readonly groupId: string
  readonly testDb: TestDatabase
  readonly app: FastifyInstance
  readonly producer: EventProducer
  readonly queue: Queue
  readonly admin: Admin
  readonly cache: RedisClient
  /** The pub/sub channel of this run's change announcements (aggregator -> API). */
  readonly changesChannel: string
  token(sub: string, operator?: boolean): Promise<string>
  close(): Promise<void>
}

interface Teardown {
  teardown(fn: () => unknown): void
}

export interface PipelineOptions {
  /**
   * Where the queue and the cache live, as the services' environment names it (e.g.
   * `{ REDIS_CLUSTER_NODES: 'host:port,...' }`); default REDIS_URL. The test's own clients
   * (queue, cache) connect to the same place.
   */
  readonly redisEnv?: Record<string, string>
}

export async function startPipeline(t: Teardown, options: PipelineOptions = {}): Promise<Pipeline> {
  const redisEnv = options.redisEnv ?? { REDIS_URL }
  const run = `e2e${randomUUID().slice(0, 8)}`
  const topics: Record<DomainEventKind, string> = {
    EventCreated: `${run}.event-created`,
    EventStatusChanged: `${run}.event-status-changed`,
    DistributionCompleted: `${run}.distribution-completed`,
    ParticipantRegistered: `${run}.participant-registered`,
  }
  const prefix = `${run}-bull`
  const groupId = `${run}-ingest`
  const changesChannel = `${run}-changes`
  const testDb = await createTestDatabase(t)
  const worker: IngestWorker = createIngestWorker(
    loadIngestConfig({
      KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: REGISTRY_URL,
      ...redisEnv,
      BULLMQ_PREFIX: prefix,
      DATABASE_URL: testDb.url,
      KAFKA_GROUP_ID: groupId,
      KAFKA_TRANSACTIONAL_ID: `${run}-tx`,
      TOPIC_DEAD_LETTER: `${run}.dlq`,
      INGEST_OPS_PORT: '0',
      // stopping the consumer waits for its fetch in flight: 0.5 s instead of 5 s
      KAFKA_FETCH_MAX_WAIT_MS: '500',
      TOPIC_EVENT_CREATED: topics.EventCreated,
      TOPIC_EVENT_STATUS_CHANGED: topics.EventStatusChanged,
      TOPIC_DISTRIBUTION_COMPLETED: topics.DistributionCompleted,
      TOPIC_PARTICIPANT_REGISTERED: topics.ParticipantRegistered,
    }),
  )
  // No external channel metrics here: the figures under test come from the Kafka traffic alone.
  const { channelMetrics: _noMetrics, ...aggregatorConfig } = loadAggregatorConfig({
    DATABASE_URL: testDb.url,
    ...redisEnv,
    BULLMQ_PREFIX: prefix,
    AGGREGATOR_OPS_PORT: '0',
    LOG_LEVEL: 'silent',
    CACHE_CHANGES_CHANNEL: changesChannel,
    AGGREGATOR_RETURNING_FOLD_INTERVAL_MS: '500',
  })
  const aggregator: Aggregator = createAggregator({ ...aggregatorConfig, opsPort: null }, { defaultMetrics: false })
  const config = loadApiConfig({
    JWT_SECRET,
    NODE_ENV: 'test',
    DATABASE_URL: testDb.url,
    ...redisEnv,
    RATE_LIMIT_MAX: '100000',
    CACHE_CHANGES_CHANNEL: changesChannel,
  })
  const cache = createRedisClient(config.cacheRedis, { maxRetriesPerRequest: 1 })
  const app = await buildApp({ db: testDb.db, redis: cache, config })
  await app.ready()
  // The worker creates the topics (3 partitions each) before anything is produced.
  await worker.start()
  await aggregator.start()
  const producer = await createEventProducer({ brokers: [KAFKA_BROKERS], registryUrl: REGISTRY_URL, topics, clientId: `${run}-upstream` })
  const queueRedis: RedisEndpoint = config.queueRedis
  const queueConnection = createRedisClient(queueRedis, { maxRetriesPerRequest: null })
  const queue = new Queue(INGEST_QUEUE_NAME, { connection: queueConnection, prefix: clusterQueuePrefix(prefix, queueRedis) })
  const admin = new Kafka({ clientId: `${run}-admin`, brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()

  let closed: Promise<void> | undefined
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await producer.close()
      await worker.close()
      await aggregator.close()
      await app.close()
      await queue.obliterate({ force: true }).catch(() => undefined)
      await queue.close()
      queueConnection.disconnect()
      await admin.deleteTopics({ topics: [...Object.values(topics), `${run}.dlq`] }).catch(() => undefined)
      await admin.disconnect()
      cache.disconnect()
    })()
    return closed
  }
  t.teardown(close)
  return {
    run,
    topics,
    groupId,
    testDb,
    app,
    producer,
    queue,
    admin,
    cache,
    changesChannel,
    close,
    token: (sub, operator = false) => signDevToken(JWT_SECRET, { sub, operator }),
  }
}

/** Messages not yet consumed by the ingest group, over the run's topics. */
export async function consumerLag(pipeline: Pipeline): Promise<number> {
  const topics = Object.values(pipeline.topics)
  const committed = await pipeline.admin.fetchOffsets({ groupId: pipeline.groupId, topics })
  let lag = 0
  for (const topic of topics) {
    const high = await pipeline.admin.fetchTopicOffsets(topic)
    const done = committed.find((entry) => entry.topic === topic)?.partitions ?? []
    for (const partition of high) {
      const offset = Number(done.find((entry) => entry.partition === partition.partition)?.offset ?? '-1')
      lag += Number(partition.high) - Math.max(0, offset)
    }
  }
  return lag
}

export async function queueBacklog(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')
  return Object.values(counts).reduce((sum, count) => sum + count, 0)
}

/** Waits until the consumer caught up, the queue is empty and the tables stopped changing. */
export async function waitUntilIdle(pipeline: Pipeline, fingerprint: () => Promise<string>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let previous = ''
  let progress = ''
  while (Date.now() < deadline) {
    const lag = await consumerLag(pipeline)
    const backlog = await queueBacklog(pipeline.queue)
    const current = await fingerprint()
    progress = `lag ${lag}, queue ${backlog}, tables ${current}`
    if (lag === 0 && backlog === 0 && current === previous) return
    previous = lag === 0 && backlog === 0 ? current : ''
    await sleep(1000)
  }
  throw new Error(`pipeline not idle after ${timeoutMs} ms (${progress})`)
}

/** Starts the pipeline's API on a free loopback port; its base URL (what a browser test opens). */
export async function serveOnLoopback(pipeline: Pipeline): Promise<string> {
  await pipeline.app.listen({ port: 0, host: '127.0.0.1' })
  const address = pipeline.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the API is not listening')
  return `http://127.0.0.1:${address.port}`
}
