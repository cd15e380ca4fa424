/** Two aggregators on one queue at once: same tables as the reference, no job failed (deadlocks handled). */
import t from 'tap'
import fc from 'fast-check'
import { createTestDatabase } from '@event-analytics/db/testing'
import { createAggregator } from '../src/index.js'
import { reference } from './helpers/reference.js'
import { openQueue, testConfig, uniquePrefix } from './helpers/queue.js'
import { scenarioArb } from './helpers/streams.js'
import { readTables, sortTables } from './helpers/tables.js'

t.test('two aggregators on the same queue', async (t) => {
  const { db, url } = await createTestDatabase(t)
  const prefix = uniquePrefix('concurrent')
  const q = await openQueue(prefix)
  t.teardown(() => q.close())
  let k = 0
  // Few events shared by many jobs: both aggregators keep writing the same rows.
  const scenarios = fc.sample(scenarioArb(() => `c${(k += 1) % 3}-${k}-`), { numRuns: 40, seed: 99 })
  const stream = scenarios.flatMap((scenario) => scenario.stream)
  let jobs = 0
  for (const scenario of scenarios) for (const batch of scenario.batches) { await q.add(batch, jobs % 3); jobs += 1 }

  const config = testConfig(url, prefix, { batchMaxMessages: 25, batchMaxWaitMs: 5 })
  const first = createAggregator(config, { defaultMetrics: false })
  const second = createAggregator(config, { defaultMetrics: false })
  await Promise.all([first.start(), second.start()])
  t.teardown(() => Promise.all([first.close(), second.close()]).then(() => undefined))
  t.same(await q.settled(), { completed: jobs, failed: 0 })

  const expected = reference(stream)
  t.strictSame(sortTables(await readTables(db, expected.events.map((row) => row.event_id))), sortTables(expected))
  const applied = async (a: typeof first) => (await a.metrics.messagesApplied.get()).values[0]?.value ?? 0
  t.ok((await applied(first)) > 0 && (await applied(second)) > 0, 'both aggregators did work')
})
