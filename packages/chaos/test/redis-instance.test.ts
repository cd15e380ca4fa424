/** The disposable Redis is configured as users run it: a SIGKILL restart comes back empty, and extra settings apply. */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { redisInstance } from '../src/infra/redis.js'

t.test('a SIGKILL restart loses what was written (no persistence)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-redis-test-'))
  const redis = redisInstance(6392, dir, ['--maxmemory-policy', 'allkeys-lru'])
  t.teardown(async () => {
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await redis.start()
  const writer = new Redis(redis.url)
  await writer.rpush('jobs', 'a', 'b', 'c')
  t.same(await writer.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'allkeys-lru'], 'extra settings applied')
  writer.disconnect()
  await redis.kill()
  t.notOk(redis.running, 'killed')
  await redis.start()
  const reader = new Redis(redis.url)
  t.equal(await reader.dbsize(), 0, 'back empty')
  reader.disconnect()
})
