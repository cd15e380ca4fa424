/**
 * With no aggregator the queue backlog stays near its bound and consumption waits;
 * once jobs are taken, the backlog drains and every message is handed on.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { INGEST_QUEUE_NAME } from '@event-analytics/contracts'
import { createEventProducer } from '@event-analytics/simulator'
import { createIngestWorker } from '../src/index.js'
import { createHarness, waitFor, KAFKA_BROKERS, REGISTRY_URL, REDIS_URL } from './helpers/harness.js'
import { participant } from './helpers/events.js'

const BOUND = 5
const PER_JOB = 20
const harness = await createHarness({ INGEST_MAX_BACKLOG_JOBS: String(BOUND), INGEST_MAX_EVENTS_PER_JOB: String(PER_JOB) })
const worker = createIngestWorker(harness.config)
const producer = await createEventProducer({ brokers: [KAFKA_BROKERS], registryUrl: REGISTRY_URL, topics: harness.topics })
t.teardown(async () => {
  await worker.close()
  await producer.close()
  await harness.close()
})

t.test('backlog bounded while nobody consumes, drained once someone does', async (t) => {
  const total = 1000
  for (let sent = 0; sent < total; sent += 100) {
    await producer.send(Array.from({ length: 100 }, (_, index) => participant(`evt-${index % 9}`)))
  }
  await worker.start()
  const queue = harness.queue()

  let peak = 0
  await waitFor('consumption to stall at the bound', async () => {
    const backlog = await queue.count()
    peak = Math.max(peak, backlog)
    const metrics = await (await fetch(`http://127.0.0.1:${worker.opsPort()}/metrics`)).text()
    return /^ingest_backpressure_active 1$/m.test(metrics) ? true : undefined
  })
  for (let probe = 0; probe < 10; probe += 1) {
    peak = Math.max(peak, await queue.count())
    await sleep(200)
  }
  const enqueuedWhilePaused = (await harness.jobs()).reduce((sum, job) => sum + job.events.length, 0)
  t.ok(enqueuedWhilePaused < total, `consumption waits (${enqueuedWhilePaused} of ${total} enqueued)`)
  t.ok(peak <= BOUND, `backlog peak ${peak} stays within the bound ${BOUND}`)
  t.ok(peak >= BOUND - 1, `backlog reached the bound (${peak})`)

  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
  let processed = 0
  const drainer = new Worker(INGEST_QUEUE_NAME, async (job) => void (processed += (job.data as { events: unknown[] }).events.length), {
    connection,
    prefix: harness.config.BULLMQ_PREFIX,
    concurrency: 4,
  })
  t.teardown(async () => {
    await drainer.close()
    connection.disconnect()
  })
  await waitFor('every message to be handed on and taken', async () => (processed >= total ? true : undefined), 120_000)
  t.equal(processed, total, 'every message was handed on exactly once')
  t.equal(await queue.count(), 0, 'backlog drained')
})
