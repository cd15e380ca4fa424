/**
 * The disposable world of one chaos run: its own Redis (AOF), PostgreSQL cluster and Kafka
 * broker on separate ports, the three services as child processes, and the clients the suite
 * uses to watch them. Everything is stopped by pid at the end.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { INGEST_QUEUE_NAME, type DomainEventKind } from '@event-analytics/contracts'
import { closeDb, createDb, setupDatabase, type Database } from '@event-analytics/db'
import { createSchemaRegistry } from '@event-analytics/ingest-worker'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createEventProducer, createRandom, type EventProducer } from '@event-analytics/simulator'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import type { Kysely } from 'kysely'
import { newWebhookSecret } from '@event-analytics/ops'
import { startRedisServer, type RedisServer } from '@event-analytics/ops/testing'
import type { ChaosConfig } from './config.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'
import { kafkaInstance, type KafkaInstance } from './infra/kafka.js'
import { postgresInstance, type PostgresInstance } from './infra/postgres.js'
import { createService, type Service, type UnexpectedExit } from './services.js'

export const JWT_SECRET = 'chaos-suite-secret-0123456789-0123456789'

export interface Environment {
  readonly run: string
  readonly dir: string
  readonly topics: Record<DomainEventKind, string>
  readonly deadLetterTopic: string
  readonly groupId: string
  /**
   * What the live ingest worker and aggregator read (slot 0's ops port and transactional id): the
   * environment `pnpm run rebuild` runs in, deriving its own names from these.
   */
  readonly pipelineEnv: Readonly<Record<string, string>>
  readonly redis: RedisServer
  readonly postgres: PostgresInstance
  readonly kafka: KafkaInstance
  readonly ingest: Service
  /** Another ingest worker in the same group (slot 1, 2, ...): its own ops port and transactional id. */
  extraIngest(slot: number): Service
  readonly aggregator: Service
  readonly api: Service
  /** Delivers the alert transitions to the owners' endpoints: the receiver below, signed with `webhookSecret`. */
  readonly dispatcher: Service
  readonly receiver: WebhookReceiver
  readonly webhookSecret: string
  readonly apiPort: number
  readonly unexpectedExits: UnexpectedExit[]
  readonly kafkaClient: Kafka
  readonly admin: Admin
  readonly queue: Queue
  readonly db: Kysely<Database>
  /** The upstream producer; a new one after `replaceKafka` (an idempotent producer's id belongs to its cluster). */
  readonly producer: EventProducer
  readonly registry: SchemaRegistry
  /**
   * Replaces the broker with a fresh one on the same ports (new data directory and cluster id)
   * under the running services, with the same PostgreSQL and Redis.
   */
  replaceKafka(): Promise<void>
  close(): Promise<void>
}

export async function startEnvironment(repoRoot: string, config: ChaosConfig, progress: (line: string) => void): Promise<Environment> {
  const run = `c${randomBytes(4).toString('hex')}`
  const dir = mkdtempSync(join(tmpdir(), `chaos-${run}-`))
  chmodSync(dir, 0o755)
  const postgres = postgresInstance(config.CHAOS_POSTGRES_PORT, join(dir, 'pg'), 'chaos')
  const kafka = kafkaInstance(config.CHAOS_KAFKA_PORT, config.CHAOS_KAFKA_CONTROLLER_PORT, join(dir, 'kafka'))
  const cleanups: (() => Promise<unknown>)[] = []
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => progress(`cleanup: ${String(error)}`))
  }
  try {
    progress(
      `run ${run}: starting Redis :${config.CHAOS_REDIS_PORT} (no persistence), PostgreSQL :${config.CHAOS_POSTGRES_PORT}, Kafka :${config.CHAOS_KAFKA_PORT} in ${dir}`,
    )
    cleanups.push(
      () => kafka.stop(),
      () => postgres.stop(),
    )
    const kafkaUp = kafka.start()
    kafkaUp.catch(() => undefined)
    const redis = await startRedisServer({ port: config.CHAOS_REDIS_PORT, logFile: join(dir, 'redis.log') })
    cleanups.push(() => redis.stop())
    await postgres.init()
    await postgres.start()
    await setupDatabase(postgres.url)
    await kafkaUp
    const topics: Record<DomainEventKind, string> = {
      EventCreated: `${run}.event-created`,
      EventStatusChanged: `${run}.event-status-changed`,
      DistributionCompleted: `${run}.distribution-completed`,
      ParticipantRegistered: `${run}.participant-registered`,
    }
    const deadLetterTopic = `${run}.dlq`
    const groupId = `${run}-ingest`
    const prefix = `${run}-bull`
    const unexpectedExits: UnexpectedExit[] = []
    const common = {
      repoRoot,
      logDir: dir,
      onUnexpectedExit: (exit: UnexpectedExit) => {
        unexpectedExits.push(exit)
        progress(`  ! ${exit.service} exited on its own (code ${exit.exit.code}, signal ${exit.exit.signal}); restarting it`)
      },
    }
    const ingestEnv = (slot: number): Record<string, string> => ({
      KAFKA_BROKERS: kafka.brokers,
      SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: prefix,
      DATABASE_URL: postgres.url,
      KAFKA_GROUP_ID: groupId,
      KAFKA_TRANSACTIONAL_ID: `${run}-tx-${slot}`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      TOPIC_DEAD_LETTER: deadLetterTopic,
      TOPIC_EVENT_CREATED: topics.EventCreated,
      TOPIC_EVENT_STATUS_CHANGED: topics.EventStatusChanged,
      TOPIC_DISTRIBUTION_COMPLETED: topics.DistributionCompleted,
      TOPIC_PARTICIPANT_REGISTERED: topics.ParticipantRegistered,
      INGEST_OPS_PORT: String(config.CHAOS_INGEST_OPS_PORT + (slot === 0 ? 0 : 10 + slot)),
      INGEST_MAX_EVENTS_PER_JOB: '100',
      INGEST_LOST_JOB_CHECK_MS: '500',
      INGEST_LAG_INTERVAL_MS: '1000',
    })
    const ingest = createService('ingest-worker', { ...common, opsPort: config.CHAOS_INGEST_OPS_PORT, env: ingestEnv(0) })
    const extras = new Map<number, Service>()
    const extraIngest = (slot: number): Service => {
      let service = extras.get(slot)
      if (service === undefined) {
        service = createService('ingest-worker', {
          ...common,
          label: `ingest-worker-${slot}`,
          opsPort: config.CHAOS_INGEST_OPS_PORT + 10 + slot,
          env: ingestEnv(slot),
        })
        extras.set(slot, service)
        cleanups.push(() => service!.stop())
      }
      return service
    }
    const aggregatorEnv: Record<string, string> = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: prefix,
      AGGREGATOR_OPS_PORT: String(config.CHAOS_AGGREGATOR_OPS_PORT),
      AGGREGATOR_BATCH_MAX_MESSAGES: '150',
      AGGREGATOR_BATCH_MAX_WAIT_MS: '50',
      AGGREGATOR_LOCK_DURATION_MS: '3000',
      AGGREGATOR_STALLED_INTERVAL_MS: '1500',
      CHANNEL_METRICS_ENABLED: 'false',
      // the clock pass evaluates what a killed aggregator had queued: soon, so the check converges
      AGGREGATOR_ALERTS_INTERVAL_MS: '2000',
    }
    const aggregator = createService('aggregator', { ...common, opsPort: config.CHAOS_AGGREGATOR_OPS_PORT, env: aggregatorEnv })
    const api = createService('query-api', {
      ...common,
      opsPort: config.CHAOS_API_PORT,
      env: {
        API_PORT: String(config.CHAOS_API_PORT),
        API_HOST: '127.0.0.1',
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        JWT_SECRET,
        BULLMQ_PREFIX: prefix,
        RATE_LIMIT_MAX: '1000000',
        BOARD_ENABLED: 'true',
      },
    })
    const webhookSecret = newWebhookSecret()
    const receiver = await startWebhookReceiver(webhookSecret, createRandom(config.CHAOS_SEED))
    cleanups.push(() => receiver.close())
    const dispatcher = createService('webhook-dispatcher', {
      ...common,
      opsPort: config.CHAOS_WEBHOOK_OPS_PORT,
      env: {
        DATABASE_URL: postgres.url,
        REDIS_URL: redis.url,
        BULLMQ_PREFIX: prefix,
        WEBHOOK_OPS_PORT: String(config.CHAOS_WEBHOOK_OPS_PORT),
        // the receiver is a plain HTTP server on loopback
        WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true',
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_POLL_INTERVAL_MS: '200',
        WEBHOOK_SWEEP_INTERVAL_MS: '2000',
        WEBHOOK_RETRY_BASE_MS: '200',
        WEBHOOK_RETRY_MAX_DELAY_MS: '2000',
      },
    })
    cleanups.push(
      () => dispatcher.stop(),
      () => api.stop(),
      () => aggregator.stop(),
      () => ingest.stop(),
    )
    progress('starting ingest-worker, aggregator, query-api, webhook-dispatcher as child processes')
    // The worker creates the topics before anything is produced.
    await Promise.all([ingest.start(), aggregator.start(), api.start(), dispatcher.start()])
    const kafkaClient = new Kafka({ clientId: `${run}-chaos`, brokers: [kafka.brokers], logLevel: logLevel.NOTHING })
    const admin = kafkaClient.admin()
    await admin.connect()
    cleanups.push(() => admin.disconnect())
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null })
    const queue = new Queue(INGEST_QUEUE_NAME, { connection, prefix })
    // The suite kills its Redis on purpose; the phases' probes report what that does. Without a
    // listener BullMQ prints every refused reconnect as an error stack.
    queue.on('error', () => undefined)
    cleanups.push(async () => {
      await queue.close()
      connection.disconnect()
    })
    const db = createDb(postgres.url, { poolSize: 3, applicationName: 'chaos-suite', onPoolError: () => undefined })
    cleanups.push(() => closeDb(db))
    const upstream = (): Promise<EventProducer> =>
      createEventProducer({ brokers: [kafka.brokers], registryUrl: config.SCHEMA_REGISTRY_URL, topics, clientId: `${run}-upstream` })
    let producer = await upstream()
    cleanups.push(() => producer.close())
    return {
      run,
      dir,
      topics,
      deadLetterTopic,
      groupId,
      pipelineEnv: { ...ingestEnv(0), ...aggregatorEnv },
      redis,
      postgres,
      kafka,
      ingest,
      extraIngest,
      aggregator,
      api,
      dispatcher,
      receiver,
      webhookSecret,
      apiPort: config.CHAOS_API_PORT,
      unexpectedExits,
      kafkaClient,
      admin,
      queue,
      db,
      get producer() {
        return producer
      },
      registry: createSchemaRegistry(config.SCHEMA_REGISTRY_URL),
      async replaceKafka() {
        await producer.close()
        await kafka.replaceWithFresh()
        producer = await upstream()
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
