import { DEFAULT_DEAD_LETTER_TOPIC, DEFAULT_KAFKA_BROKERS, DEFAULT_SCHEMA_REGISTRY_URL, DEFAULT_TOPICS } from '@event-analytics/contracts'
import { DEFAULT_DATABASE_URL } from '@event-analytics/db'
import {
  doc,
  env,
  loadConfig,
  oneQueueRedisAddress,
  processVariables,
  projectionSetVariables,
  queueRedisEndpoint,
  queueVariables,
  type ServiceConfigSchema,
} from '@event-analytics/ops'
import { hostname } from 'node:os'

const topic = (kind: string) => `Kafka topic of ${kind} events (Avro, TopicNameStrategy subject \`<topic>-value\`).`

const shape = {
  KAFKA_BROKERS: doc(env.list(DEFAULT_KAFKA_BROKERS), 'Kafka bootstrap brokers, `host:port,host:port`.'),
  KAFKA_CLIENT_ID: doc(env.string('analytics-ingest-worker'), 'kafkajs client id (broker logs and quotas).', { internal: true }),
  KAFKA_GROUP_ID: doc(env.string('analytics-ingest'), 'Consumer group; every replica of one deployment uses the same.'),
  KAFKA_TRANSACTIONAL_ID: doc(
    env.optionalString(),
    'Transactional id of the dead-letter producer: fixed and different per replica, so a restarted replica fences its own zombie transactions. Set it wherever the host name is not stable (containers).',
    { defaultText: 'analytics-ingest-<host name>' },
  ),
  KAFKA_SESSION_TIMEOUT_MS: doc(
    env.integer(30_000, 6000),
    'How long the group waits for a silent (e.g. killed) member before rebalancing its partitions.',
  ),
  KAFKA_FETCH_MAX_WAIT_MS: doc(
    env.integer(5000, 100, 60_000),
    'The longest a fetch waits on the broker for new messages; stopping the consumer waits for the fetch in flight, so this also bounds that part of a shutdown (the tests use 500).',
    { internal: true },
  ),
  SCHEMA_REGISTRY_URL: doc(
    env.url(DEFAULT_SCHEMA_REGISTRY_URL),
    'Confluent-compatible Schema Registry API (Apicurio: `/apis/ccompat/v7`).',
  ),
  TOPIC_EVENT_CREATED: doc(env.string(DEFAULT_TOPICS.EventCreated), topic('EventCreated')),
  TOPIC_EVENT_STATUS_CHANGED: doc(env.string(DEFAULT_TOPICS.EventStatusChanged), topic('EventStatusChanged')),
  TOPIC_DISTRIBUTION_COMPLETED: doc(env.string(DEFAULT_TOPICS.DistributionCompleted), topic('DistributionCompleted')),
  TOPIC_PARTICIPANT_REGISTERED: doc(env.string(DEFAULT_TOPICS.ParticipantRegistered), topic('ParticipantRegistered')),
  TOPIC_DEAD_LETTER: doc(
    env.string(DEFAULT_DEAD_LETTER_TOPIC),
    'Dead-letter topic: bad messages with their original bytes and x-error-* headers.',
  ),
  ...queueVariables,
  DATABASE_URL: doc(env.url(DEFAULT_DATABASE_URL), 'PostgreSQL, read only: which jobs are settled, so their offsets may be committed.'),
  ...projectionSetVariables,
  INGEST_MAX_BACKLOG_JOBS: doc(env.integer(500, 1), 'Consumption pauses while this many jobs wait in the queue.'),
  INGEST_MAX_EVENTS_PER_JOB: doc(env.integer(2000, 1), 'Valid messages per BullMQ job; a larger partition batch becomes several jobs.', {
    internal: true,
  }),
  INGEST_MAX_PENDING_MESSAGES: doc(
    env.integer(100_000, 1),
    'Consumption also pauses while this many consumed messages await their commit (bounds memory and replay).',
  ),
  INGEST_MAX_PENDING_BYTES: doc(
    env.integer(33_554_432, 1),
    'Consumption also pauses while the messages awaiting their commit keep this many bytes (keys, values and headers, copied for a possible dead letter; 32 MiB).',
  ),
  INGEST_MAX_MESSAGES_PER_SECOND: doc(
    env.integer(0, 0),
    'Average ceiling on consumption, messages a second (0: none). For a consumer that must leave CPU to others, e.g. a rebuild beside the live pipeline.',
  ),
  INGEST_COMMIT_INTERVAL_MS: doc(env.integer(200, 10, 60_000), 'How often settled jobs are looked up and their offsets committed.', {
    internal: true,
  }),
  INGEST_LOST_JOB_CHECK_MS: doc(
    env.integer(2000, 10, 600_000),
    'How often the unsettled jobs holding a commit back are looked for in Redis (lost: the partition is read again).',
    { internal: true },
  ),
  INGEST_LAG_INTERVAL_MS: doc(env.integer(5000, 100, 600_000), 'Consumer lag (`ingest_consumer_lag`) is read from the broker this often.'),
  INGEST_STALL_AFTER_MS: doc(
    env.integer(60_000, 1000),
    'Behind, with no committed offset moving for this long: stalled (log, `ingest_pipeline_stalled`, `/ready` check `pipeline`).',
  ),
  ...processVariables,
  INGEST_OPS_PORT: doc(env.port(9101), 'Port of /health, /ready and /metrics.'),
  INGEST_OPS_HOST: doc(env.string('127.0.0.1'), 'Interface of the ops port; loopback unless told otherwise (containers: 0.0.0.0).'),
}

/** The ingest worker's variables, for the configuration reference and the compose check. */
export const ingestConfigSchema = { service: 'ingest-worker', shape } satisfies ServiceConfigSchema

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadIngestConfig(source: NodeJS.ProcessEnv = process.env) {
  const raw = loadConfig(shape, source, [oneQueueRedisAddress])
  return {
    ...raw,
    KAFKA_TRANSACTIONAL_ID: raw.KAFKA_TRANSACTIONAL_ID ?? `analytics-ingest-${hostname()}`,
    queueRedis: queueRedisEndpoint(source, raw),
  }
}

export type IngestConfig = ReturnType<typeof loadIngestConfig>
