/**
 * Start-up before the Redis roles are there: the queue Redis refuses connections, then the cache
 * Redis drops them. The aggregator waits for each (one line each), and starts once both answer.
 * Each step waits on a log line, not on time.
 */
import t from 'tap'
import { startTcpProxy, watchedLogger } from '@event-analytics/ops/testing'
import { createTestDatabase } from '@event-analytics/db/testing'
import { createAggregator } from '../src/index.js'
import { REDIS_URL, testConfig, uniquePrefix } from './helpers/queue.js'

t.test('started before its queue and cache Redis: waits for each, then starts', async (t) => {
  const { url } = await createTestDatabase(t)
  const redis = new URL(REDIS_URL)
  const target = { host: redis.hostname, port: Number(redis.port || 6379) }
  const queueProxy = await startTcpProxy(target, { kind: 'down' })
  const cacheProxy = await startTcpProxy(target, { kind: 'drop' })
  const log = watchedLogger()
  const aggregator = createAggregator(
    testConfig(url, uniquePrefix('startup'), {
      opsPort: 0,
      redisUrl: `redis://127.0.0.1:${queueProxy.port}`,
      cacheRedisUrl: `redis://127.0.0.1:${cacheProxy.port}`,
    }),
    { logger: log.logger, defaultMetrics: false },
  )
  t.teardown(async () => {
    await aggregator.close()
    await queueProxy.close()
    await cacheProxy.close()
  })
  const starting = aggregator.start()
  t.match((await log.next(/^waiting for queue: /)).msg, /ECONNREFUSED/)
  await queueProxy.setMode({ kind: 'forward' })
  await log.next(/^queue is up$/)
  await log.next(/^waiting for cache: /)
  await cacheProxy.setMode({ kind: 'forward' })
  await starting
  t.equal((await fetch(`http://127.0.0.1:${aggregator.opsPort}/ready`)).status, 200)
  t.same(
    log.lines.filter((line) => line.msg.startsWith('waiting for ')).map((line) => line.msg.split(':')[0]),
    ['waiting for queue', 'waiting for cache'],
    'one line per dependency',
  )
})
