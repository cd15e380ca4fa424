/**
 * Redis is disposable: a queue Redis without persistence (as `npm start` runs it) is
 * SIGKILLed and restarted empty while jobs wait, and flushed while the aggregator is busy.
 * Kafka offsets are committed only once PostgreSQL settled the jobs, so the worker notices
 * the lost jobs, reads their partitions again, and every valid message is applied exactly
 * once; every bad one is dead-lettered exactly once. Each run counts what went in against
 * what came out.
 */
import t from 'tap'
import type { Test } from 'tap'
import { Redis } from 'ioredis'
import type { DomainEvent } from '@event-analytics/contracts'
import { metricSum, startRedisServer } from '@event-analytics/ops/testing'
import { countClaimedMessages } from '@event-analytics/db'
import { createEventProducer } from '@event-analytics/simulator'
import { createIngestWorker } from '../src/index.js'
import { createHarness, waitFor, KAFKA_BROKERS, REGISTRY_URL } from './helpers/harness.js'
import { participant } from './helpers/events.js'

async function stream(
  send: (events: DomainEvent[]) => Promise<void>,
  rounds: number,
  perRound: number,
): Promise<{ valid: Set<string>; invalid: number }> {
  const valid = new Set<string>()
  let invalid = 0
  for (let round = 0; round < rounds; round += 1) {
    const batch = Array.from({ length: perRound }, (_, index) => participant(`evt-${index % 5}`, index % 40 !== 3))
    for (const event of batch) {
      if ('participantId' in event && event.participantId.length > 64) invalid += 1
      else valid.add(event.messageId)
    }
    await send(batch)
  }
  return { valid, invalid }
}

/** The server's run id and how many keys it loaded from disk at start (INFO: NaN if it does not say). */
async function serverStart(url: string): Promise<{ runId: string | undefined; keysLoaded: number }> {
  const probe = new Redis(url)
  try {
    const info = await probe.info()
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim()
    return { runId: field('run_id'), keysLoaded: Number(field('rdb_last_load_keys_loaded')) }
  } finally {
    probe.disconnect()
  }
}

/** A worker on a redis-server of its own (no persistence, as `npm start` runs it), started; all closed at teardown. */
async function startOnOwnRedis(t: Test) {
  const redis = await startRedisServer()
  const harness = await createHarness({ REDIS_URL: redis.url, INGEST_MAX_EVENTS_PER_JOB: '50', INGEST_LOST_JOB_CHECK_MS: '200' })
  const worker = createIngestWorker(harness.config)
  const producer = await createEventProducer({ brokers: [KAFKA_BROKERS], registryUrl: REGISTRY_URL, topics: harness.topics })
  t.teardown(async () => {
    await worker.close()
    await producer.close()
    await harness.close()
    await redis.stop()
  })
  await worker.start()
  return { redis, harness, worker, producer }
}

t.test('Redis restarted empty while jobs wait (aggregator stopped): nothing lost', async (t) => {
  const { redis, harness, worker, producer } = await startOnOwnRedis(t)
  const sent = await stream((batch) => producer.send(batch), 6, 200)
  await waitFor('every valid message enqueued', async () => {
    const queued = (await harness.jobs()).reduce((sum, job) => sum + job.events.length, 0)
    return queued >= sent.valid.size ? true : undefined
  })
  t.equal(await countClaimedMessages(harness.database.db), 0, 'nothing applied yet: the jobs only wait in Redis')

  const before = await serverStart(redis.url)
  await redis.kill()
  await redis.restart()
  // Not DBSIZE: the worker reconnects at once and may write keys again before any probe runs.
  const after = await serverStart(redis.url)
  t.not(after.runId, before.runId, 'a new Redis process')
  t.equal(after.keysLoaded, 0, 'Redis came back empty: it loaded no keys at start')

  await harness.startAggregator(redis.url)
  await waitFor(
    'every valid message applied',
    async () => ((await countClaimedMessages(harness.database.db)) >= sent.valid.size ? true : undefined),
    120_000,
  )
  t.equal(await countClaimedMessages(harness.database.db), sent.valid.size, 'every valid message applied exactly once')
  const letters = await harness.deadLetters()
  t.equal(letters.length, sent.invalid, 'every bad message dead-lettered exactly once')
  const metrics = await worker.metrics.registry.metrics()
  t.ok(metricSum(metrics, 'ingest_partition_rewinds_total') > 0, 'the lost jobs were noticed and their partitions read again')
})

t.test('FLUSHALL while the aggregator is busy: nothing lost, nothing doubled', async (t) => {
  const { redis, harness, producer } = await startOnOwnRedis(t)
  await harness.startAggregator(redis.url)
  const flusher = new Redis(redis.url)
  t.teardown(() => flusher.disconnect())
  // The first flush waits for the aggregator's first commit (an event, not a time), so on a loaded
  // machine it still lands mid-stream: after something was applied and before the rest was even sent.
  const appliedAtFlush: number[] = []
  const sent = await stream(
    async (batch) => {
      await producer.send(batch)
      if (appliedAtFlush.length === 0) {
        await waitFor('the aggregator applying the first round', async () =>
          (await countClaimedMessages(harness.database.db)) > 0 ? true : undefined,
        )
      }
      const applied = await countClaimedMessages(harness.database.db)
      if (applied < 1500) {
        await flusher.flushall()
        appliedAtFlush.push(applied)
      }
    },
    10,
    200,
  )
  t.ok(
    appliedAtFlush.some((applied) => applied > 0 && applied < sent.valid.size),
    `Redis was flushed mid-stream while the aggregator was applying (messages applied at each flush: ${appliedAtFlush.join(', ')})`,
  )
  await waitFor(
    'every valid message applied',
    async () => ((await countClaimedMessages(harness.database.db)) >= sent.valid.size ? true : undefined),
    120_000,
  )
  t.equal(await countClaimedMessages(harness.database.db), sent.valid.size, 'every valid message applied exactly once')
  const letters = await harness.deadLetters()
  t.equal(letters.length, sent.invalid, 'every bad message dead-lettered exactly once')
})

t.test('a queue Redis that evicts keys is refused at start, naming the setting', async (t) => {
  const redis = await startRedisServer({ args: ['--maxmemory', '20mb', '--maxmemory-policy', 'allkeys-lru'] })
  const harness = await createHarness({ REDIS_URL: redis.url })
  const worker = createIngestWorker(harness.config)
  t.teardown(async () => {
    await worker.close()
    await harness.close()
    await redis.stop()
  })
  await t.rejects(worker.start(), { name: 'UnsafeQueueRedisError', message: /maxmemory-policy=allkeys-lru.*noeviction/ })
})
