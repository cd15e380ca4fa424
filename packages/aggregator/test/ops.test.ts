/** The ops port: /health, /ready (postgres, cache, queue) and Prometheus /metrics. */
import t from 'tap'
import { startRedisServer } from '@event-analytics/ops/testing'
import { createTestDatabase } from '@event-analytics/db/testing'
import { createAggregator } from '../src/index.js'
import { loadAggregatorConfig } from '../src/config.js'
import { openQueue, testConfig, uniquePrefix } from './helpers/queue.js'

t.test('ops endpoints', async (t) => {
  const { url } = await createTestDatabase(t)
  const prefix = uniquePrefix('ops')
  const q = await openQueue(prefix)
  t.teardown(() => q.close())
  const aggregator = createAggregator(testConfig(url, prefix, { opsPort: 0 }), { defaultMetrics: false })
  await aggregator.start()
  t.teardown(() => aggregator.close())
  const base = `http://127.0.0.1:${aggregator.opsPort}`
  t.equal((await fetch(`${base}/health`)).status, 200)
  const ready = await fetch(`${base}/ready`)
  t.equal(ready.status, 200)
  t.match(await ready.json(), { ready: true, checks: { postgres: { ok: true }, cache: { ok: true }, queue: { ok: true } } })
  const metrics = await (await fetch(`${base}/metrics`)).text()
  for (const name of [
    'aggregator_batch_messages',
    'aggregator_fold_ratio',
    'aggregator_transaction_seconds',
    'aggregator_batch_retries_total',
    'aggregator_poison_messages_total',
    'aggregator_duplicates_dropped_total',
  ]) {
    t.match(metrics, name)
  }
})

t.test('/ready names the queue Redis when it is down while the cache Redis answers', async (t) => {
  const { url } = await createTestDatabase(t)
  const queueRedis = await startRedisServer()
  t.teardown(() => queueRedis.stop())
  const aggregator = createAggregator(testConfig(url, uniquePrefix('ops-queue'), { opsPort: 0, redisUrl: queueRedis.url }), {
    defaultMetrics: false,
  })
  await aggregator.start()
  t.teardown(() => aggregator.close())
  await queueRedis.kill()
  const ready = await fetch(`http://127.0.0.1:${aggregator.opsPort}/ready`)
  t.equal(ready.status, 503)
  t.match(await ready.json(), { ready: false, checks: { postgres: { ok: true }, cache: { ok: true }, queue: { ok: false } } })
  await queueRedis.restart() // lets close() finish its BullMQ calls
  await aggregator.close()
})

t.test('config: defaults and clear errors', async (t) => {
  const config = loadAggregatorConfig({})
  t.match(config, {
    batchMaxMessages: 2000,
    batchMaxWaitMs: 200,
    opsPort: 9102,
    redisUrl: 'redis://127.0.0.1:6379',
    cacheRedisUrl: 'redis://127.0.0.1:6379',
  })
  t.equal(
    loadAggregatorConfig({ REDIS_URL: 'redis://queue:6379' }).cacheRedisUrl,
    'redis://queue:6379',
    'the cache defaults to the queue Redis',
  )
  t.match(loadAggregatorConfig({ REDIS_URL: 'redis://queue:6379', CACHE_REDIS_URL: 'redis://cache:6380' }), {
    redisUrl: 'redis://queue:6379',
    cacheRedisUrl: 'redis://cache:6380',
  })
  t.throws(() => loadAggregatorConfig({ CACHE_REDIS_URL: 'cache' }), /CACHE_REDIS_URL/)
  t.throws(() => loadAggregatorConfig({ AGGREGATOR_BATCH_MAX_MESSAGES: 'lots' }), /AGGREGATOR_BATCH_MAX_MESSAGES/)
  t.match(config.channelMetrics, {
    enabled: true,
    refreshMs: 300_000,
    timeoutMs: 2000,
    baseUrls: { TV: 'http://127.0.0.1:4010/tv', SNS: 'http://127.0.0.1:4010/sns', VOICE: 'http://127.0.0.1:4010/voice' },
  })
  t.equal(loadAggregatorConfig({ CHANNEL_METRICS_ENABLED: 'false' }).channelMetrics?.enabled, false)
  t.throws(() => loadAggregatorConfig({ CHANNEL_METRICS_TIMEOUT_MS: '0' }), /CHANNEL_METRICS_TIMEOUT_MS/)
})
