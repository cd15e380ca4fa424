/**
 * The configuration the services document is the configuration they read: docs/configuration.md
 * and the README's table are what `pnpm config:docs` writes from the schemas today, and one
 * QUEUE_NAME reaches the producer, the consumer and the board alike.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { loadAggregatorConfig } from '@event-analytics/aggregator'
import { loadIngestConfig } from '@event-analytics/ingest-worker'
import { createRedisClient } from '@event-analytics/ops'
import { createIngestBoardQueue, loadApiConfig } from '@event-analytics/query-api'
import { CONFIG_REFERENCE_FILE, configReference, currentReadme, readmeWithSummary } from '../src/config/reference.js'

t.test('docs/configuration.md is what `pnpm config:docs` writes', async (t) => {
  t.equal(readFileSync(CONFIG_REFERENCE_FILE, 'utf8'), configReference(), 'run `pnpm config:docs` and commit the result')
})

t.test("the README's configuration table is what `pnpm config:docs` writes", async (t) => {
  const readme = currentReadme()
  t.equal(readme, readmeWithSummary(readme), 'run `pnpm config:docs` and commit the result')
})

t.test('one QUEUE_NAME: the ingest queue, the aggregator worker and the board resolve the same queue', async (t) => {
  const env = { QUEUE_NAME: 'tenant-a-ingest', BULLMQ_PREFIX: 'tenant-a', JWT_SECRET: 'queue-name-test-0123456789-0123456789' }
  const ingest = loadIngestConfig(env)
  const aggregator = loadAggregatorConfig(env)
  const api = loadApiConfig(env)
  t.equal(ingest.QUEUE_NAME, 'tenant-a-ingest', 'the ingest worker enqueues there (worker.ts hands it to createIngestQueue)')
  t.equal(aggregator.queueName, 'tenant-a-ingest', 'the aggregator drains it')
  t.equal(api.queueName, 'tenant-a-ingest')
  t.same([ingest.BULLMQ_PREFIX, aggregator.queuePrefix, api.queuePrefix], ['tenant-a', 'tenant-a', 'tenant-a'], 'under one prefix')
  const connection = createRedisClient(api.queueRedis, { maxRetriesPerRequest: null, lazyConnect: true })
  const board = createIngestBoardQueue(api, connection)
  t.teardown(async () => {
    await board.close()
    connection.disconnect()
  })
  t.equal(board.name, 'tenant-a-ingest', 'the board shows it')
  t.equal(board.opts.prefix, 'tenant-a')
})
