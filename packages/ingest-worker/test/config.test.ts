/** The ingest worker's environment: validated in one pass, before anything starts. */
import t from 'tap'
import { hostname } from 'node:os'
import { ConfigError } from '@event-analytics/ops'
import { loadIngestConfig } from '../src/index.js'

t.test('two bad fields and a conflict between two variables: all three in one ConfigError', async (t) => {
  const error = t.throws(() =>
    loadIngestConfig({
      LOG_LEVEL: 'loud',
      INGEST_OPS_PORT: 'ninety',
      REDIS_URL: 'redis://queue:6379',
      REDIS_CLUSTER_NODES: 'a:7000,b:7001',
    }),
  ) as ConfigError
  t.type(error, ConfigError)
  t.same(error.problems.map((problem) => problem.variable).sort(), ['INGEST_OPS_PORT', 'LOG_LEVEL', 'REDIS_URL, REDIS_CLUSTER_NODES'])
})

t.test('LOG_LEVEL is validated and handed on', async (t) => {
  t.equal(loadIngestConfig({ LOG_LEVEL: 'debug' }).LOG_LEVEL, 'debug')
  t.equal(loadIngestConfig({}).LOG_LEVEL, undefined, 'unset: the logger picks its default')
})

t.test('the transactional id: the one set, else one per host', async (t) => {
  t.equal(loadIngestConfig({ KAFKA_TRANSACTIONAL_ID: 'ingest-1' }).KAFKA_TRANSACTIONAL_ID, 'ingest-1')
  t.equal(loadIngestConfig({}).KAFKA_TRANSACTIONAL_ID, `analytics-ingest-${hostname()}`)
  t.throws(() => loadIngestConfig({ KAFKA_TRANSACTIONAL_ID: '' }), /KAFKA_TRANSACTIONAL_ID/, 'empty is not an id')
})
