/**
 * The progress loop against a real broker whose answers take longer than the loop's interval
 * (a loaded machine): readings are skipped, never queued, so stopping waits for the one in flight
 * at most. Queued readings would keep running after stop() for as long as the backlog lasts.
 */
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createTestDatabase } from '@event-analytics/db/testing'
import { createLogger } from '@event-analytics/ops'
import { Kafka, logLevel } from 'kafkajs'
import { createRebuildMetrics } from '../src/metrics.js'
import { watchProgress, type ProgressSample } from '../src/watch.js'

const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'
/** Readings completed before stopping: enough for a queue of skipped ticks to build up behind them. */
const READINGS = 30

t.test('a reading slower than the interval is skipped, not queued: stop waits for the one in flight', async (t) => {
  const run = `watch${randomUUID().slice(0, 8)}`
  const topic = `${run}.topic`
  const admin = new Kafka({ clientId: run, brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  t.teardown(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.disconnect()
  })
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true })
  const { db } = await createTestDatabase(t)

  const completed: number[] = []
  let enough: () => void = () => undefined
  const reachedEnough = new Promise<void>((resolve) => (enough = resolve))
  const watch = watchProgress({
    db,
    admin,
    set: 'rb_watch',
    groupId: `${run}.rebuild`,
    liveGroupId: `${run}.live`,
    topics: [topic],
    // Never caught up (lag 0 is not <= 0 - 1): the loop only reads.
    caughtUpLag: -1,
    // Each reading takes several broker round trips: far longer than 1 ms.
    intervalMs: 1,
    metrics: createRebuildMetrics('rb_watch'),
    logger: createLogger('watch-test', 'silent'),
    onProgress: (_sample: ProgressSample) => {
      completed.push(Date.now())
      if (completed.length === READINGS) enough()
    },
  })
  await reachedEnough
  const stoppedAt = Date.now()
  await watch.stop()
  const afterStop = completed.filter((at) => at > stoppedAt).length
  t.ok(afterStop <= 1, `readings completed after stop(): ${afterStop} (at most the one in flight)`)
})
