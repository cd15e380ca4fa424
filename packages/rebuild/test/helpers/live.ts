/**
 * A live pipeline of its own for a rebuild test: unique topics, group, queue prefix, changes channel
 * and database; the real ingest worker and aggregator in this process, the query API through
 * app.inject. `env` is what a rebuild run of this pipeline reads (the services' variables).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import { createAggregator, loadAggregatorConfig, type Aggregator } from '@event-analytics/aggregator'
import type { DomainEvent, DomainEventKind } from '@event-analytics/contracts'
import { createTestDatabase, type TestDatabase } from '@event-analytics/db/testing'
import { createIngestWorker, loadIngestConfig, type IngestWorker } from '@event-analytics/ingest-worker'
import { createRedisClient, type RedisClient } from '@event-analytics/ops'
import { buildApp, loadApiConfig, signDevToken } from '@event-analytics/query-api'
import { createEventProducer, type EventProducer } from '@event-analytics/simulator'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { sql } from 'kysely'
import { readOffsets } from '../../src/kafka.js'
import { progressOf } from '../../src/progress.js'

const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'
const REGISTRY_URL = process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7'
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'
const JWT_SECRET = 'rebuild-test-secret-0123456789-abcdef'

export interface Live {
  readonly run: string
  readonly env: Record<string, string>
  readonly topics: readonly string[]
  readonly testDb: TestDatabase
  readonly app: Awaited<ReturnType<typeof buildApp>>
  readonly cache: RedisClient
  readonly admin: Admin
  readonly kafka: Kafka
  readonly aggregator: Aggregator
  produce(events: readonly DomainEvent[]): Promise<void>
  token(sub: string): Promise<string>
  /** Waits until `groupId` (default the live group) committed every message of the topics. */
  caughtUp(groupId?: string, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export async function startLive(t: { teardown(fn: () => unknown): void }): Promise<Live> {
  const run = `rb${randomUUID().slice(0, 8)}`
  const topicOf: Record<DomainEventKind, string> = {
    EventCreated: `${run}.event-created`,
    EventStatusChanged: `${run}.event-status-changed`,
    DistributionCompleted: `${run}.distribution-completed`,
    ParticipantRegistered: `${run}.participant-registered`,
  }
  const testDb = await createTestDatabase(t)
  const env: Record<string, string> = {
    KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: REGISTRY_URL,
    REDIS_URL,
    DATABASE_URL: testDb.url,
    BULLMQ_PREFIX: `${run}-bull`,
    KAFKA_GROUP_ID: `${run}-ingest`,
    KAFKA_TRANSACTIONAL_ID: `${run}-tx`,
    TOPIC_DEAD_LETTER: `${run}.dlq`,
    TOPIC_EVENT_CREATED: topicOf.EventCreated,
    TOPIC_EVENT_STATUS_CHANGED: topicOf.EventStatusChanged,
    TOPIC_DISTRIBUTION_COMPLETED: topicOf.DistributionCompleted,
    TOPIC_PARTICIPANT_REGISTERED: topicOf.ParticipantRegistered,
    CACHE_CHANGES_CHANNEL: `${run}-changes`,
    KAFKA_FETCH_MAX_WAIT_MS: '500',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    INGEST_OPS_PORT: '0',
    AGGREGATOR_RETURNING_FOLD_INTERVAL_MS: '300',
    AGGREGATOR_LOCK_DURATION_MS: '2000',
    AGGREGATOR_STALLED_INTERVAL_MS: '1000',
    CHANNEL_METRICS_ENABLED: 'false',
    REBUILD_PROGRESS_INTERVAL_MS: '300',
    REBUILD_CAUGHT_UP_LAG: '0',
    LOG_LEVEL: 'silent',
  }
  const ingest: IngestWorker = createIngestWorker(loadIngestConfig(env))
  const aggregator = createAggregator({ ...loadAggregatorConfig(env), opsPort: null }, { defaultMetrics: false })
  const config = loadApiConfig({ ...env, JWT_SECRET, NODE_ENV: 'test', RATE_LIMIT_MAX: '100000' })
  const cache = createRedisClient(config.cacheRedis, { maxRetriesPerRequest: 1 })
  const app = await buildApp({ db: testDb.db, redis: cache, config })
  await app.ready()
  await ingest.start()
  await aggregator.start()
  const producer: EventProducer = await createEventProducer({
    brokers: [KAFKA_BROKERS],
    registryUrl: REGISTRY_URL,
    topics: topicOf,
    clientId: `${run}-upstream`,
  })
  const kafka = new Kafka({ clientId: `${run}-admin`, brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const topics = Object.values(topicOf)
  let closed: Promise<void> | undefined
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await producer.close()
      await ingest.close()
      await aggregator.close()
      await app.close()
      await admin.deleteTopics({ topics: [...topics, `${run}.dlq`, `${run}.dlq.rebuild`] }).catch(() => undefined)
      await admin.disconnect()
      cache.disconnect()
    })()
    return closed
  }
  t.teardown(close)
  return {
    run,
    env,
    topics,
    testDb,
    app,
    cache,
    admin,
    kafka,
    aggregator,
    async produce(events) {
      for (let index = 0; index < events.length; index += 500) await producer.send(events.slice(index, index + 500))
    },
    token: (sub) => signDevToken(JWT_SECRET, { sub, operator: false }),
    async caughtUp(groupId = env['KAFKA_GROUP_ID'] as string, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const progress = progressOf(await readOffsets(admin, groupId, topics))
        if (progress.lag === 0 && progress.total > 0) return
        if (Date.now() > deadline) throw new Error(`group ${groupId} still ${progress.lag} messages behind`)
        await sleep(200)
      }
    },
    close,
  }
}

/** The registration logs of public and `set` folded (the returning figures are compared too). */
export async function foldsDone(live: Live, set: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await sql<{ pending: string }>`
      SELECT (SELECT count(*) FROM public.participant_registrations)
        + (SELECT count(*) FROM ${sql.id(set, 'participant_registrations')}) AS pending`.execute(live.testDb.db)
    if (Number(rows[0]?.pending) === 0) return
    if (Date.now() > deadline) throw new Error('registration logs not folded')
    await sleep(100)
  }
}
