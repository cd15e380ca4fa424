/** A test's own redis-server is configured as users run Redis: a SIGKILL restart comes back empty, and extra settings apply. */
import t from 'tap'
import { Redis } from 'ioredis'
import { startRedisServer } from '../src/testing/index.js'

t.test('a SIGKILL restart loses what was written (no persistence); extra settings apply', async (t) => {
  const redis = await startRedisServer({ args: ['--maxmemory-policy', 'allkeys-lru'] })
  t.teardown(() => redis.stop())
  const writer = new Redis(redis.url)
  await writer.rpush('jobs', 'a', 'b', 'c')
  t.same(await writer.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'allkeys-lru'], 'extra settings applied')
  writer.disconnect()
  await redis.kill()
  t.notOk(redis.running, 'killed')
  await redis.restart()
  t.ok(redis.running, 'running again')
  const reader = new Redis(redis.url)
  t.equal(await reader.dbsize(), 0, 'back empty')
  reader.disconnect()
})
