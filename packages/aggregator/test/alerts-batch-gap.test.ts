/**
 * The alert monitor's passes after batches: one starts as soon as a batch is queued when none ran
 * for batchGapMs, and the batches queued within the gap after it wait to be evaluated together, in
 * one pass. close() does not wait for a gap: it evaluates what is queued at once.
 */
import t from 'tap'
import type { Test } from 'tap'
import { Redis } from 'ioredis'
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { createLogger } from '@event-analytics/ops'
import { createTestDatabase } from '@event-analytics/db/testing'
import { AlertMonitor } from '../src/alerts/evaluate.js'
import { createMetrics } from '../src/metrics.js'
import { REDIS_URL } from './helpers/queue.js'

/** Counts the evaluation passes: each takes the evaluation lock once (a raw statement naming it). */
class PassCounter implements KyselyPlugin {
  passes = 0
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (JSON.stringify(args.node).includes('event-analytics:alert-evaluation')) this.passes += 1
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

async function monitorWithCounter(t: Test, batchGapMs: number) {
  const { db } = await createTestDatabase(t)
  const counter = new PassCounter()
  const cache = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  t.teardown(() => cache.disconnect())
  const passSeconds = createMetrics(false).alertPassSeconds
  const monitor = new AlertMonitor({
    db: db.withPlugin(counter),
    passSeconds,
    cache,
    changesChannel: 'alerts-batch-gap-test',
    intervalMs: 3_600_000,
    batchGapMs,
    logger: createLogger('alerts-batch-gap-test', 'silent'),
  })
  return { monitor, counter, passSeconds }
}

// The gap is an hour, so nothing but close() ends it: the counts do not depend on how fast a pass runs.
t.test('batches queued within the gap after a pass wait, and close() evaluates them together, at once', async (t) => {
  const { monitor, counter, passSeconds } = await monitorWithCounter(t, 3_600_000)
  monitor.afterBatch(['event-a'])
  await monitor.idle()
  t.equal(counter.passes, 1, 'the first batch is evaluated at once')
  // Three batches commit right after that pass: without the gap the first would start a pass of its own.
  monitor.afterBatch(['event-a'])
  await new Promise((resolve) => setImmediate(resolve))
  monitor.afterBatch(['event-b'])
  await new Promise((resolve) => setImmediate(resolve))
  monitor.afterBatch(['event-c'])
  const closed = monitor.close().then(() => 'closed' as const)
  const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 30_000).unref())
  t.equal(await Promise.race([closed, stuck]), 'closed', 'close returned while an hour-long gap was still running')
  t.equal(counter.passes, 2, 'one more pass for the three')
  const timed = (await passSeconds.get()).values.filter((value) => value.metricName === 'aggregator_alert_pass_seconds_count')
  t.same(
    timed.map((value) => [value.labels['trigger'], value.value]),
    [['batch', 2]],
    'the metric counts both passes',
  )
})
