/**
 * Offsets are not identity. Other messages can sit at offsets the pipeline has already settled:
 * a fresh Kafka (new data directory) with the same PostgreSQL and Redis, or a topic deleted and
 * created again, under the running pipeline or between two runs of the ingest worker. (Kafka
 * replaced under the running services is a phase of the chaos suite.) Every one of them must be applied, whatever the
 * queue Redis still holds of the earlier messages (completed or failed jobs). The services run as
 * real child processes on the real registry, PostgreSQL and Redis.
 */
import t from 'tap'
import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { INGEST_QUEUE_NAME, type DomainEvent } from '@event-analytics/contracts'
import { countClaimedMessages } from '@event-analytics/db'
import { createTestDatabase, type TestDatabase } from '@event-analytics/db/testing'
import { freePort, metricSum } from '@event-analytics/ops/testing'
import { createEventProducer, type EventProducer } from '@event-analytics/simulator'
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { startOwnKafka } from './helpers/own-kafka.js'
import { waitFor } from '../src/infra/proc.js'
import { createService, type Service } from '../src/services.js'

// Two Kafka incarnations and two rounds of child services: longer than the default file timeout.
t.setTimeout(360_000)

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const REGISTRY_URL = process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7'
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'
const SHARED_KAFKA = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'
const EVENTS = 6
const PER_EVENT = 20

interface Run {
  readonly run: string
  readonly topic: string
  readonly prefix: string
  readonly database: TestDatabase
  readonly ingest: Service
  readonly aggregator: Service
}

async function startServices(t: Test, brokers: string, database: TestDatabase): Promise<Run> {
  const run = `oi${randomUUID().slice(0, 8)}`
  const logDir = mkdtempSync(join(tmpdir(), `${run}-`))
  const prefix = `${run}-bull`
  const ingestPort = await freePort()
  const aggregatorPort = await freePort()
  const onUnexpectedExit = (exit: unknown): void => void t.fail(`a service exited on its own: ${JSON.stringify(exit)} (logs: ${logDir})`)
  const ingest = createService('ingest-worker', {
    repoRoot,
    logDir,
    opsPort: ingestPort,
    onUnexpectedExit,
    env: {
      KAFKA_BROKERS: brokers,
      SCHEMA_REGISTRY_URL: REGISTRY_URL,
      REDIS_URL,
      BULLMQ_PREFIX: prefix,
      DATABASE_URL: database.url,
      KAFKA_GROUP_ID: `${run}-ingest`,
      KAFKA_TRANSACTIONAL_ID: `${run}-tx`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      TOPIC_EVENT_CREATED: `${run}.event-created`,
      TOPIC_EVENT_STATUS_CHANGED: `${run}.event-status-changed`,
      TOPIC_DISTRIBUTION_COMPLETED: `${run}.distribution-completed`,
      TOPIC_PARTICIPANT_REGISTERED: `${run}.participant-registered`,
      TOPIC_DEAD_LETTER: `${run}.dlq`,
      INGEST_OPS_PORT: String(ingestPort),
      INGEST_MAX_EVENTS_PER_JOB: '10',
    },
  })
  const aggregator = createService('aggregator', {
    repoRoot,
    logDir,
    opsPort: aggregatorPort,
    onUnexpectedExit,
    env: {
      DATABASE_URL: database.url,
      REDIS_URL,
      BULLMQ_PREFIX: prefix,
      AGGREGATOR_OPS_PORT: String(aggregatorPort),
      AGGREGATOR_BATCH_MAX_WAIT_MS: '20',
      CHANNEL_METRICS_ENABLED: 'false',
    },
  })
  t.teardown(async () => {
    await ingest.stop()
    await aggregator.stop()
    const queue = new Queue(INGEST_QUEUE_NAME, { connection: { url: REDIS_URL }, prefix })
    await queue.obliterate({ force: true }).catch(() => undefined)
    await queue.close()
  })
  await Promise.all([ingest.start(), aggregator.start()])
  return { run, topic: `${run}.participant-registered`, prefix, database, ingest, aggregator }
}

/** The same events, keys and order every round (so the same partitions and offsets), with new message ids. */
function round(run: string): DomainEvent[] {
  return Array.from({ length: EVENTS * PER_EVENT }, (_, index) => ({
    kind: 'ParticipantRegistered' as const,
    messageId: randomUUID(),
    occurredAt: Date.now() - 3_600_000,
    eventId: `${run}-evt-${index % EVENTS}`,
    participantId: randomUUID(),
    channelName: 'INSTAGRAM',
  }))
}

async function send(brokers: string, run: Run, events: DomainEvent[]): Promise<void> {
  const producer: EventProducer = await createEventProducer({
    brokers: [brokers],
    registryUrl: REGISTRY_URL,
    topics: {
      EventCreated: `${run.run}.event-created`,
      EventStatusChanged: `${run.run}.event-status-changed`,
      DistributionCompleted: `${run.run}.distribution-completed`,
      ParticipantRegistered: run.topic,
    },
    clientId: `${run.run}-upstream`,
  })
  try {
    await producer.send(events)
  } finally {
    await producer.close()
  }
}

async function appliedAll(run: Run, expected: number): Promise<void> {
  await waitFor(
    `${expected} messages applied`,
    async () => ((await countClaimedMessages(run.database.db)) >= expected ? true : undefined),
    120_000,
  )
}

/** Every partition of the topic committed up to its end: nothing of this round is still pending. */
async function committedAll(brokers: string, run: Run): Promise<void> {
  const admin = new Kafka({ clientId: `${run.run}-probe`, brokers: [brokers], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await waitFor(
      'the offsets committed to the end',
      async () => {
        const ends = await admin.fetchTopicOffsets(run.topic)
        const [committed] = await admin.fetchOffsets({ groupId: `${run.run}-ingest`, topics: [run.topic] })
        const done = ends.every(
          (end) => committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.high || end.high === '0',
        )
        return done ? true : undefined
      },
      60_000,
    )
  } finally {
    await admin.disconnect()
  }
}

async function regressions(run: Run): Promise<number> {
  const text = await (await fetch(`${run.ingest.opsUrl}/metrics`)).text()
  return metricSum(text, 'ingest_offset_regressions_total')
}

async function participantsCounted(run: Run): Promise<number> {
  const row = await run.database.db
    .selectFrom('event_stats')
    .select((eb) => eb.fn.sum<string>('total_participants').as('total'))
    .executeTakeFirstOrThrow()
  return Number(row.total ?? 0)
}

/**
 * Fails some of the queue's completed jobs in Redis under their own ids, as an aggregator that
 * gave up on them would have left them: the queue then holds the earlier round as completed
 * and failed jobs.
 */
async function failSomeCompletedJobs(prefix: string, count: number): Promise<number> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue(INGEST_QUEUE_NAME, { connection, prefix })
  const worker = new Worker(INGEST_QUEUE_NAME, null, { connection, prefix, autorun: false })
  try {
    const completed = (await queue.getJobs(['completed'], 0, -1)).slice(0, count)
    for (const job of completed) {
      const { name, data, id } = job
      await job.remove()
      await queue.add(name, data, { jobId: id!, attempts: 1 })
    }
    let failed = 0
    for (;;) {
      const token = randomUUID()
      const job = await worker.getNextJob(token, { block: false })
      if (job === undefined) break
      await job.moveToFailed(new Error('given up by an earlier aggregator'), token, false)
      failed += 1
    }
    return failed
  } finally {
    await worker.close()
    await queue.close()
    connection.disconnect()
  }
}

t.test('a fresh Kafka with the same PostgreSQL and Redis: other messages at settled offsets are all applied', async (t) => {
  const kafka = await startOwnKafka(t, 'offset-identity-kafka')
  const database = await createTestDatabase(t)
  const run = await startServices(t, kafka.brokers, database)
  const total = EVENTS * PER_EVENT

  await send(kafka.brokers, run, round(run.run))
  await appliedAll(run, total)
  await committedAll(kafka.brokers, run)

  await Promise.all([run.ingest.stop(), run.aggregator.stop()])
  const failed = await failSomeCompletedJobs(run.prefix, 3)
  t.equal(failed, 3, 'the queue Redis holds the first round as completed and failed jobs')
  await kafka.replaceWithFresh()
  await Promise.all([run.ingest.start(), run.aggregator.start()])

  await send(kafka.brokers, run, round(run.run))
  await appliedAll(run, 2 * total)
  await committedAll(kafka.brokers, run)
  t.equal(await countClaimedMessages(database.db), 2 * total, 'every message of both Kafkas applied exactly once')
  t.equal(await participantsCounted(run), 2 * total, 'and counted in the figures')
  t.ok((await regressions(run)) >= 1, 'the offsets going backwards were noticed and counted')
})

/**
 * Creates the deleted topic again and waits until it is back, empty, with its three partitions led.
 * Right after a deletion the broker may still answer UNKNOWN_TOPIC_OR_PARTITION to the creation's
 * leader check, and a running consumer's metadata requests may create the topic on their own
 * (auto-creation): either way, the creation is tried again until the topic answers.
 */
async function topicBackEmpty(admin: Admin, topic: string): Promise<void> {
  await waitFor(
    'the topic back, empty',
    async () => {
      if (!(await admin.listTopics()).includes(topic)) {
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] }).catch(() => false)
      }
      const ends = await admin.fetchTopicOffsets(topic).catch(() => [])
      return ends.length === 3 && ends.every((end) => end.high === '0') ? true : undefined
    },
    60_000,
  )
}

/** The shared Kafka, a first round applied and committed; `recreate` then replaces the topic. */
async function recreatedTopic(t: Test, recreate: (run: Run, admin: Admin) => Promise<void>): Promise<void> {
  const database = await createTestDatabase(t)
  const run = await startServices(t, SHARED_KAFKA, database)
  const total = EVENTS * PER_EVENT
  const admin = new Kafka({ clientId: `${run.run}-admin`, brokers: [SHARED_KAFKA], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())

  await send(SHARED_KAFKA, run, round(run.run))
  await appliedAll(run, total)
  await committedAll(SHARED_KAFKA, run)

  await recreate(run, admin)

  await appliedAll(run, 2 * total)
  await committedAll(SHARED_KAFKA, run)
  t.equal(await countClaimedMessages(database.db), 2 * total, 'every message of both incarnations applied exactly once')
  t.equal(await participantsCounted(run), 2 * total, 'and counted in the figures')
  t.ok((await regressions(run)) >= 1, 'the offsets going backwards were noticed and counted')
}

t.test('a topic deleted and created again under the running pipeline: every message of both applied', (t) =>
  recreatedTopic(t, async (run, admin) => {
    // The same number of messages per partition again: the new log reaches exactly the position the
    // consumer had in the old one, where kafkajs goes on fetching without an error.
    await admin.deleteTopics({ topics: [run.topic] })
    await topicBackEmpty(admin, run.topic)
    await send(SHARED_KAFKA, run, round(run.run))
  }),
)

t.test('a topic deleted and created again while the ingest worker is down: every message of both applied', (t) =>
  recreatedTopic(t, async (run, admin) => {
    // The aggregator keeps running; the new incarnation is met by a worker that remembers the old
    // one's committed offsets only through PostgreSQL (partition_progress).
    await run.ingest.stop()
    await admin.deleteTopics({ topics: [run.topic] })
    await waitFor('the topic gone', async () => (!(await admin.listTopics()).includes(run.topic) ? true : undefined), 60_000)
    await topicBackEmpty(admin, run.topic)
    await send(SHARED_KAFKA, run, round(run.run))
    await run.ingest.start()
  }),
)
