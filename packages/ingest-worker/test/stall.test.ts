/**
 * A pipeline that stops draining is visible: with no aggregator, messages stay uncommitted;
 * after INGEST_STALL_AFTER_MS the worker's /ready fails its `pipeline` check and
 * `ingest_pipeline_stalled` reads 1, with the lag read from the broker (not 0). Once an
 * aggregator settles the jobs, both recover.
 */
import t from 'tap'
import { metricSum } from '@event-analytics/ops/testing'
import { createEventProducer } from '@event-analytics/simulator'
import { createIngestWorker } from '../src/index.js'
import { createHarness, waitFor, KAFKA_BROKERS, REGISTRY_URL } from './helpers/harness.js'
import { participant } from './helpers/events.js'

const harness = await createHarness({ INGEST_STALL_AFTER_MS: '1000', INGEST_LAG_INTERVAL_MS: '200' })
const worker = createIngestWorker(harness.config)
const producer = await createEventProducer({ brokers: [KAFKA_BROKERS], registryUrl: REGISTRY_URL, topics: harness.topics })
t.teardown(async () => {
  await worker.close()
  await producer.close()
  await harness.close()
})

async function readiness(): Promise<{ status: number; body: { checks?: Record<string, { ok: boolean; error?: string }> } }> {
  const response = await fetch(`http://127.0.0.1:${worker.opsPort()}/ready`)
  return { status: response.status, body: (await response.json()) as { checks?: Record<string, { ok: boolean; error?: string }> } }
}

t.test('stalled, then draining again', async (t) => {
  await worker.start()
  await producer.send(Array.from({ length: 50 }, (_, index) => participant(`evt-${index % 3}`)))
  const stalled = await waitFor('the stall to be reported', async () => {
    const ready = await readiness()
    return ready.status === 503 && ready.body.checks?.['pipeline']?.ok === false ? ready : undefined
  })
  t.match(stalled.body.checks?.['pipeline']?.error, /not draining: 50 messages behind/)
  const metrics = await worker.metrics.registry.metrics()
  t.match(metrics, /^ingest_pipeline_stalled 1$/m)
  const lag = metricSum(metrics, 'ingest_consumer_lag')
  t.equal(lag, 50, 'the lag counts every message not yet applied')

  await harness.startAggregator()
  await waitFor('the pipeline to drain', async () => ((await readiness()).status === 200 ? true : undefined))
  t.match(await worker.metrics.registry.metrics(), /^ingest_pipeline_stalled 0$/m)
})
