/** The disposable Redis really persists with AOF: a key and a queued list survive a SIGTERM restart. */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { redisInstance } from '../src/infra/redis.js'

t.test('a restart keeps what was written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-aof-test-'))
  const redis = redisInstance(6392, dir)
  t.teardown(async () => {
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await redis.start()
  const writer = new Redis(redis.url)
  await writer.set('k', 'v')
  await writer.rpush('jobs', 'a', 'b', 'c')
  writer.disconnect()
  await redis.stop()
  t.notOk(redis.running, 'stopped')
  await redis.start()
  const reader = new Redis(redis.url)
  t.equal(await reader.get('k'), 'v')
  t.same(await reader.lrange('jobs', 0, -1), ['a', 'b', 'c'])
  reader.disconnect()
})
