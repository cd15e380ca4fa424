/**
 * Several batches in flight at once, every job writing the same three events: two aggregator
 * processes on one queue, and one process applying three batches at a time
 * (AGGREGATOR_CONCURRENCY). The tables equal the reference, no job failed (deadlocks and
 * serialization failures, if any, were retried), and every process did part of the work.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ChildProcess } from 'node:child_process'
import t from 'tap'
import type { Test } from 'tap'
import fc from 'fast-check'
import { createTestDatabase } from '@event-analytics/db/testing'
import { exited, spawnAggregator } from './helpers/process.js'
import { openQueue, REDIS_URL, uniquePrefix } from './helpers/queue.js'
import { reference } from './helpers/reference.js'
import { scenarioArb } from './helpers/streams.js'
import { readTables, sortTables } from './helpers/tables.js'
import { freePort, metricSum } from '@event-analytics/ops/testing'

async function waitUntilReady(url: string, children: readonly ChildProcess[]): Promise<void> {
  for (;;) {
    const exitedEarly = children.find((child) => child.exitCode !== null)
    if (exitedEarly !== undefined) throw new Error(`an aggregator exited with code ${exitedEarly.exitCode} before it was ready`)
    if (
      await fetch(url).then(
        (response) => response.ok,
        () => false,
      )
    )
      return
    await sleep(100)
  }
}

/** One aggregator process per entry of `concurrencies`, each running that many batch loops. */
async function runConcurrently(t: Test, concurrencies: readonly number[]): Promise<void> {
  const { db, url } = await createTestDatabase(t)
  const prefix = uniquePrefix('concurrent')
  const q = await openQueue(prefix)
  t.teardown(() => q.close())
  let k = 0
  // Message ids of their own per scenario, events shared by all: both processes keep
  // writing the same event, channel and hourly rows.
  const scenarios = fc.sample(
    scenarioArb(
      () => `c${(k += 1)}-`,
      () => 'shared-',
    ),
    { numRuns: 40, seed: 99 },
  )
  const stream = scenarios.flatMap((scenario) => scenario.stream)

  const ports = await Promise.all(concurrencies.map(() => freePort()))
  const children = ports.map((port, index) =>
    spawnAggregator({
      DATABASE_URL: url,
      REDIS_URL,
      BULLMQ_PREFIX: prefix,
      AGGREGATOR_OPS_PORT: String(port),
      LOG_LEVEL: 'silent',
      AGGREGATOR_BATCH_MAX_MESSAGES: '25',
      AGGREGATOR_BATCH_MAX_WAIT_MS: '5',
      CHANNEL_METRICS_ENABLED: 'false',
      AGGREGATOR_CONCURRENCY: String(concurrencies[index]),
    }),
  )
  t.teardown(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  // Both ready before the first job, so neither drains the queue alone while the other starts.
  for (const port of ports) await waitUntilReady(`http://127.0.0.1:${port}/ready`, children)

  let jobs = 0
  for (const scenario of scenarios)
    for (const batch of scenario.batches) {
      await q.add(batch, jobs % 3)
      jobs += 1
    }
  t.same(await q.settled(), { completed: jobs, failed: 0 }, 'every job completed, none failed')

  const metrics = await Promise.all(ports.map((port) => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())))
  const applied = metrics.map((text) => metricSum(text, 'aggregator_messages_applied_total'))
  t.ok(
    applied.every((count) => count > 0),
    `every process applied messages (${applied.join(' + ')})`,
  )
  const conflicts = metrics.map((text) => /aggregator_batch_retries_total\{reason="conflict"\} ([0-9]+)/.exec(text)?.[1] ?? '0')
  t.comment(`conflict retries (deadlock / serialization): ${conflicts.join(' + ')}`)

  for (const child of children) child.kill('SIGTERM')
  t.same(
    await Promise.all(children.map(exited)),
    children.map(() => ({ code: 0, signal: null })),
    'every process exits cleanly',
  )

  const expected = reference(stream)
  t.equal(expected.events.length, 3, 'three shared events')
  t.strictSame(
    sortTables(
      await readTables(
        db,
        expected.events.map((row) => row.event_id),
      ),
    ),
    sortTables(expected),
  )
}

t.test('two aggregator processes on the same queue and the same events', (t) => runConcurrently(t, [1, 1]))

t.test('one aggregator process with three batches in flight on the same events', (t) => runConcurrently(t, [3]))
