/**
 * A shutdown is bounded: with its Redis gone (SIGKILLed), the aggregator still exits on
 * SIGTERM within SHUTDOWN_TIMEOUT_MS instead of hanging in BullMQ's reconnect loop until
 * killed. Nothing applied is lost by leaving early: offsets are committed only after
 * PostgreSQL settled their jobs. Also: an evicting queue Redis is refused at start.
 */
import t from 'tap'
import { startRedisServer, freePort } from '@event-analytics/ops/testing'
import { createTestDatabase } from '@event-analytics/db/testing'
import { setTimeout as sleep } from 'node:timers/promises'
import { exited, spawnAggregator } from './helpers/process.js'
import { uniquePrefix } from './helpers/queue.js'

const SHUTDOWN_TIMEOUT_MS = 3000

t.test('SIGTERM with Redis unreachable: the process exits within the shutdown bound', async (t) => {
  const { url } = await createTestDatabase(t)
  const redis = await startRedisServer()
  t.teardown(() => redis.stop())
  const opsPort = await freePort()
  const child = spawnAggregator({
    DATABASE_URL: url,
    REDIS_URL: redis.url,
    BULLMQ_PREFIX: uniquePrefix('shutdown'),
    AGGREGATOR_OPS_PORT: String(opsPort),
    LOG_LEVEL: 'silent',
    CHANNEL_METRICS_ENABLED: 'false',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${opsPort}/ready`).then(
      (response) => response.ok,
      () => false,
    )
    if (ready) break
    await sleep(100)
  }
  await redis.kill()
  await sleep(500) // let the worker notice and start reconnecting
  const signalled = Date.now()
  child.kill('SIGTERM')
  // A hang is caught by tap's timeout (no clock of our own); the exit code says which way it ended.
  const exit = await exited(child)
  t.comment(`exited ${Date.now() - signalled} ms after SIGTERM with Redis gone (bound ${SHUTDOWN_TIMEOUT_MS} ms)`)
  t.equal(exit.signal, null, 'it exited by itself, not by a signal')
  t.ok(exit.code === 0 || exit.code === 1, `runService's codes: 0 closed in time, 1 the bound cut the close short (got ${exit.code})`)
})

t.test('an evicting queue Redis is refused at start, naming the setting and the fix', async (t) => {
  const { url } = await createTestDatabase(t)
  const redis = await startRedisServer({ args: ['--maxmemory', '20mb', '--maxmemory-policy', 'allkeys-lru'] })
  t.teardown(() => redis.stop())
  const child = spawnAggregator(
    {
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: uniquePrefix('evicting'),
      AGGREGATOR_OPS_PORT: '0',
      LOG_LEVEL: 'fatal',
      CHANNEL_METRICS_ENABLED: 'false',
    },
    { captureLogs: true },
  )
  let logs = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    logs += chunk.toString()
  })
  const exit = await exited(child)
  t.equal(exit.code, 1, 'the aggregator refuses to run')
  t.match(
    logs,
    /maxmemory-policy=allkeys-lru; it must be noeviction.*CONFIG SET maxmemory-policy noeviction/,
    'the log names the setting and the fix',
  )
})
