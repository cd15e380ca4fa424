/** The ingest worker's lifecycle: start (connect, subscribe, commit, serve ops), close (drain, commit what is settled, release). */
import type { DomainEventKind } from '@event-analytics/contracts'
import { PROJECTION_SET_HEADER } from '@event-analytics/contracts'
import { PUBLIC_SET, assertProjectionSet, closeDb, createDb, pingDatabase } from '@event-analytics/db'
import { startOpsServer, type OpsServer, createLogger, type Logger, UnsafeQueueRedisError, waitForDependencies } from '@event-analytics/ops'
import { Kafka, logLevel } from 'kafkajs'
import { createCommitter } from './committer.js'
import type { IngestConfig } from './config.js'
import { createBatchHandler, joinGroup, watchRebalances } from './consumer.js'
import { watchConsumerCrash, type CrashWatch } from './crash.js'
import { AvroDecoder, createSchemaRegistry } from './decode/avro-decoder.js'
import { createLagMonitor } from './lag.js'
import { HandOverLedger } from './ledger.js'
import { createIngestMetrics, type IngestMetrics } from './metrics.js'
import { createIngestQueue } from './queue.js'
import { createTransactionalProducer } from './transactional-producer.js'

export interface IngestWorker {
  readonly metrics: IngestMetrics
  /** The port of /health, /ready, /metrics once started. */
  opsPort(): number
  start(): Promise<void>
  /** Idempotent: stops consuming, commits what PostgreSQL has settled, releases everything. */
  close(): Promise<void>
}

export function topicKinds(config: IngestConfig): Map<string, DomainEventKind> {
  return new Map<string, DomainEventKind>([
    [config.TOPIC_EVENT_CREATED, 'EventCreated'],
    [config.TOPIC_EVENT_STATUS_CHANGED, 'EventStatusChanged'],
    [config.TOPIC_DISTRIBUTION_COMPLETED, 'DistributionCompleted'],
    [config.TOPIC_PARTICIPANT_REGISTERED, 'ParticipantRegistered'],
  ])
}

export interface IngestWorkerOptions {
  /** The consumer crashed for good (kafkajs will not restart it); main.ts exits. */
  readonly onFatalError?: (error: Error) => void
}

export function createIngestWorker(
  config: IngestConfig,
  logger: Logger = createLogger('ingest-worker'),
  options: IngestWorkerOptions = {},
): IngestWorker {
  const metrics = createIngestMetrics()
  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
  })
  const registry = createSchemaRegistry(config.SCHEMA_REGISTRY_URL)
  const admin = kafka.admin()
  const consumer = kafka.consumer({
    groupId: config.KAFKA_GROUP_ID,
    sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatInterval: Math.min(3000, config.KAFKA_SESSION_TIMEOUT_MS / 3),
    maxWaitTimeInMs: config.KAFKA_FETCH_MAX_WAIT_MS,
  })
  const producer = createTransactionalProducer(kafka, config.KAFKA_TRANSACTIONAL_ID)
  const queue = createIngestQueue(config.queueRedis, config.BULLMQ_PREFIX, config.QUEUE_NAME)
  const rebuilding = config.PROJECTION_SET !== PUBLIC_SET
  const db = createDb(config.DATABASE_URL, {
    applicationName: rebuilding ? `ingest-worker:${config.PROJECTION_SET}` : 'ingest-worker',
    projectionSet: config.PROJECTION_SET,
    poolSize: 2,
    onPoolError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
  })
  const topics = topicKinds(config)
  const ledger = new HandOverLedger()
  const committer = createCommitter(
    {
      ledger,
      db,
      queue,
      producer,
      admin,
      consumer,
      groupId: config.KAFKA_GROUP_ID,
      deadLetterTopic: config.TOPIC_DEAD_LETTER,
      ...(rebuilding ? { deadLetterHeaders: { [PROJECTION_SET_HEADER]: config.PROJECTION_SET } } : {}),
      metrics,
      logger,
    },
    { intervalMs: config.INGEST_COMMIT_INTERVAL_MS, lostJobCheckMs: config.INGEST_LOST_JOB_CHECK_MS },
  )
  const lag = createLagMonitor(
    { admin, groupId: config.KAFKA_GROUP_ID, topics: [...topics.keys()], ledger, metrics, logger },
    { intervalMs: config.INGEST_LAG_INTERVAL_MS, stallAfterMs: config.INGEST_STALL_AFTER_MS },
  )
  watchRebalances(consumer, {
    onRebalancing: () => committer.pause(true),
    onJoined: () => {
      ledger.clear()
      committer.pause(false)
    },
  })
  // Watched once started: a failed join during start is the start's to retry (joinGroup).
  let crash: CrashWatch | undefined
  let ops: OpsServer | undefined
  let closing: Promise<void> | undefined
  let started = false
  const starting = new AbortController()

  const close = (): Promise<void> => {
    closing ??= (async () => {
      starting.abort()
      // The consumer finishes its in-flight batch (enqueue + ledger) before it disconnects.
      await consumer.disconnect()
      await committer.close()
      await lag.close()
      await producer.disconnect()
      await admin.disconnect()
      await queue.close()
      await closeDb(db)
      await ops?.close()
      logger.info('ingest worker stopped')
    })()
    return closing
  }

  return {
    metrics,
    opsPort: () => ops?.port ?? 0,
    async start() {
      ops = await startOpsServer({
        port: config.INGEST_OPS_PORT,
        host: config.INGEST_OPS_HOST,
        logger,
        registry: metrics.registry,
        checks: {
          started: async () => {
            if (!started) throw new Error('still starting')
          },
          kafka: async () => void (await admin.describeCluster()),
          registry: async () => void (await fetch(`${config.SCHEMA_REGISTRY_URL}/subjects`).then(okOrThrow)),
          queue: () => queue.ping(),
          postgres: () => pingDatabase(db),
          consumer: async () => {
            const fatal = crash?.fatal()
            if (fatal !== undefined) throw new Error(`consumer stopped: ${fatal.message}`)
          },
          pipeline: async () => lag.assertDraining(),
        },
      })
      const handler = createBatchHandler({
        topics,
        decoder: new AvroDecoder(registry),
        queue,
        ledger,
        db,
        groupId: config.KAFKA_GROUP_ID,
        metrics,
        logger,
        maxEventsPerJob: config.INGEST_MAX_EVENTS_PER_JOB,
        maxBacklogJobs: config.INGEST_MAX_BACKLOG_JOBS,
        maxPendingMessages: config.INGEST_MAX_PENDING_MESSAGES,
        maxPendingBytes: config.INGEST_MAX_PENDING_BYTES,
        maxMessagesPerSecond: config.INGEST_MAX_MESSAGES_PER_SECOND,
      })
      await waitForDependencies(
        [
          {
            name: 'queue',
            probe: () => queue.checkSafety({ allowEviction: config.QUEUE_REDIS_ALLOW_EVICTION, logger }),
            shouldRetry: (error) => !(error instanceof UnsafeQueueRedisError),
          },
          { name: 'postgres', probe: () => pingDatabase(db) },
          // Before the group is joined: a mistyped set would otherwise settle jobs in the live set's tables.
          { name: 'projection set', probe: () => assertProjectionSet(db, config.PROJECTION_SET), shouldRetry: () => false },
          { name: 'registry', probe: () => registryAnswers(config.SCHEMA_REGISTRY_URL) },
          // A client that does not retry says at once why Kafka cannot be reached; the
          // service's clients below retry on their own for up to a minute before they fail.
          { name: 'kafka', probe: () => kafkaAnswers(config) },
          {
            name: 'kafka topics',
            probe: async () => {
              await admin.connect()
              await ensureTopics(admin, [...topics.keys(), config.TOPIC_DEAD_LETTER])
            },
          },
          { name: 'kafka transactional producer', probe: () => producer.connect() },
          { name: 'kafka consumer group', probe: () => joinGroup(consumer, [...topics.keys()], handler) },
        ],
        { deadlineMs: config.STARTUP_DEADLINE_MS, logger, signal: starting.signal },
      )
      crash = watchConsumerCrash(consumer, (error) => {
        logger.fatal({ err: error }, 'Kafka consumer crashed and will not restart')
        options.onFatalError?.(error)
      })
      committer.run()
      lag.run()
      started = true
      logger.info({ topics: [...topics.keys()], groupId: config.KAFKA_GROUP_ID }, 'ingest worker consuming')
    },
    close,
  }
}

async function ensureTopics(admin: ReturnType<Kafka['admin']>, names: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics())
  const missing = names.filter((name) => !existing.has(name))
  if (missing.length > 0) {
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: 3 })) })
  }
}

async function registryAnswers(url: string): Promise<void> {
  okOrThrow(await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(5000) }))
}

async function kafkaAnswers(config: IngestConfig): Promise<void> {
  const probe = new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}-probe`,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin()
  try {
    await probe.connect()
    await probe.describeCluster()
  } finally {
    await probe.disconnect().catch(() => undefined)
  }
}

function okOrThrow(response: Response): Response {
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return response
}
