/** The aggregator's environment: validated in one pass, before anything starts. */
import t from 'tap'
import { INGEST_QUEUE_NAME } from '@event-analytics/contracts'
import { ConfigError } from '@event-analytics/ops'
import { loadAggregatorConfig } from '../src/index.js'

t.test('two bad fields and a conflict between two variables: all three in one ConfigError', async (t) => {
  const error = t.throws(() =>
    loadAggregatorConfig({
      AGGREGATOR_CONCURRENCY: '0',
      CHANNEL_METRICS_TV_URL: 'not a url',
      CACHE_REDIS_URL: 'redis://cache:6379',
      CACHE_REDIS_CLUSTER_NODES: 'c:7000',
    }),
  ) as ConfigError
  t.type(error, ConfigError)
  t.same(error.problems.map((problem) => problem.variable).sort(), [
    'AGGREGATOR_CONCURRENCY',
    'CACHE_REDIS_URL, CACHE_REDIS_CLUSTER_NODES',
    'CHANNEL_METRICS_TV_URL',
  ])
})

t.test('the queue is QUEUE_NAME, the variable every service reads', async (t) => {
  t.equal(loadAggregatorConfig({}).queueName, INGEST_QUEUE_NAME)
  t.equal(loadAggregatorConfig({ QUEUE_NAME: 'tenant-a-ingest' }).queueName, 'tenant-a-ingest')
  t.throws(
    () => loadAggregatorConfig({ AGGREGATOR_QUEUE_NAME: 'other' }),
    /AGGREGATOR_QUEUE_NAME: replaced by QUEUE_NAME/,
    'the aggregator-only name is refused, not ignored',
  )
})

t.test('LOG_LEVEL is validated', async (t) => {
  t.equal(loadAggregatorConfig({ LOG_LEVEL: 'warn' }).logLevel, 'warn')
  t.throws(() => loadAggregatorConfig({ LOG_LEVEL: 'chatty' }), /LOG_LEVEL/)
})
