/** The ingest worker's lifecycle: start (connect, subscribe, serve ops), stop (drain, close). */
import { createLogger, type DomainEventKind, type Logger } from '@event-analytics/contracts'
import { startOpsServer, type OpsServer } from '@event-analytics/ops'
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs'
import type { IngestConfig } from './config.js'
import { createBatchHandler, runConsumer } from './consumer.js'
import { watchConsumerCrash } from './crash.js'
import { AvroDecoder, createSchemaRegistry } from './decode/avro-decoder.js'
import { createIngestMetrics, type IngestMetrics } from './metrics.js'
import { createIngestQueue, type IngestQueue } from './queue.js'

export interface IngestWorker {
  readonly metrics: IngestMetrics
  /** The port of /health, /ready, /metrics once started. */
  opsPort(): number
  start(): Promise<void>
  stop(): Promise<void>
}

export function topicKinds(config: IngestConfig): Map<string, DomainEventKind> {
  return new Map<string, DomainEventKind>([
    [config.TOPIC_EVENT_CREATED, 'EventCreated'],
    [config.TOPIC_EVENT_STATUS_CHANGED, 'EventStatusChanged'],
    [config.TOPIC_DISTRIBUTION_COMPLETED, 'DistributionCompleted'],
    [config.TOPIC_PARTICIPANT_REGISTERED, 'ParticipantRegistered'],
  ])
}

interface Connections {
  readonly admin: Admin
  readonly consumer: Consumer
  readonly producer: Producer
  readonly queue: IngestQueue
  ops?: OpsServer
}

export interface IngestWorkerOptions {
  /** The consumer crashed for good (kafkajs will not restart it); main.ts exits. */
  readonly onFatalError?: (error: Error) => void
}

export function createIngestWorker(config: IngestConfig, logger: Logger = createLogger('ingest-worker'), options: IngestWorkerOptions = {}): IngestWorker {
  const metrics = createIngestMetrics()
  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
  })
  const registry = createSchemaRegistry(config.SCHEMA_REGISTRY_URL)
  const connections: Connections = {
    admin: kafka.admin(),
    consumer: kafka.consumer({ groupId: config.KAFKA_GROUP_ID, sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS, heartbeatInterval: Math.min(3000, config.KAFKA_SESSION_TIMEOUT_MS / 3) }),
    producer: kafka.producer({ transactionalId: config.KAFKA_TRANSACTIONAL_ID, idempotent: true, maxInFlightRequests: 1 }),
    queue: createIngestQueue(config.REDIS_URL, config.BULLMQ_PREFIX),
  }
  const topics = topicKinds(config)
  const crash = watchConsumerCrash(connections.consumer, (error) => {
    logger.fatal({ err: error }, 'Kafka consumer crashed and will not restart')
    options.onFatalError?.(error)
  })

  return {
    metrics,
    opsPort: () => connections.ops?.port ?? 0,
    async start() {
      connections.ops = await startOpsServer({
        port: config.INGEST_OPS_PORT,
        host: config.INGEST_OPS_HOST,
        logger,
        registry: metrics.registry,
        checks: {
          kafka: async () => void (await connections.admin.describeCluster()),
          registry: async () => void (await fetch(`${config.SCHEMA_REGISTRY_URL}/subjects`).then(okOrThrow)),
          redis: () => connections.queue.ping(),
          consumer: async () => {
            const fatal = crash.fatal()
            if (fatal !== undefined) throw new Error(`consumer stopped: ${fatal.message}`)
          },
        },
      })
      await connections.admin.connect()
      await ensureTopics(connections.admin, [...topics.keys(), config.TOPIC_DEAD_LETTER])
      await connections.producer.connect()
      const handler = createBatchHandler({
        topics,
        deadLetterTopic: config.TOPIC_DEAD_LETTER,
        groupId: config.KAFKA_GROUP_ID,
        decoder: new AvroDecoder(registry),
        queue: connections.queue,
        producer: connections.producer,
        metrics,
        logger,
        maxEventsPerJob: config.INGEST_MAX_EVENTS_PER_JOB,
        maxBacklogJobs: config.INGEST_MAX_BACKLOG_JOBS,
      })
      await runConsumer(connections.consumer, [...topics.keys()], handler)
      logger.info({ topics: [...topics.keys()], groupId: config.KAFKA_GROUP_ID }, 'ingest worker consuming')
    },
    async stop() {
      // The consumer finishes its in-flight batch (enqueue + commit) before it disconnects.
      await connections.consumer.disconnect()
      await connections.producer.disconnect()
      await connections.admin.disconnect()
      await connections.queue.close()
      await connections.ops?.close()
      logger.info('ingest worker stopped')
    },
  }
}

async function ensureTopics(admin: Admin, names: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics())
  const missing = names.filter((name) => !existing.has(name))
  if (missing.length > 0) {
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: 3 })) })
  }
}

function okOrThrow(response: Response): Response {
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return response
}
