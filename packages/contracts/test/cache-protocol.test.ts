/**
 * The fill-guard protocol on real Redis: a fill whose guard is unchanged is stored; a fill
 * that raced an invalidation (the stale-entry race of plain cache-aside) is dropped.
 */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { Redis } from 'ioredis'
import { fillGuardKey, fillIfUnchanged, invalidateProjections, readFillGuard } from '../src/cache-protocol.js'

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'

async function connect(t: { teardown(fn: () => unknown): void }): Promise<Redis> {
  // keyPrefix: the protocol must work through a prefixed client too (as the API's tests use one).
  const prefix = `test:cache-protocol:${process.pid}:${randomBytes(3).toString('hex')}:`
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1, lazyConnect: true })
  await redis.connect() // fails loudly when Redis is down
  t.teardown(async () => {
    const cleaner = new Redis(REDIS_URL)
    const keys = await cleaner.keys(`${prefix}*`)
    if (keys.length > 0) await cleaner.del(...keys)
    await Promise.all([cleaner.quit(), redis.quit()])
  })
  return redis
}

t.test('a fill with an unchanged guard is stored with its TTL', async (t) => {
  const redis = await connect(t)
  const guard = await readFillGuard(redis, 'analytics:roi:e1')
  t.equal(guard, '', 'no guard before the first invalidation')
  t.ok(await fillIfUnchanged(redis, { key: 'analytics:roi:e1', text: 'v1', ttlSeconds: 3600, guard }))
  t.equal(await redis.get('analytics:roi:e1'), 'v1')
  t.ok((await redis.ttl('analytics:roi:e1')) > 3500)

  t.ok(await fillIfUnchanged(redis, { key: 'analytics:user:u1', field: 'page-1', text: 'p1', ttlSeconds: 3600, guard: '' }))
  t.ok(await fillIfUnchanged(redis, { key: 'analytics:user:u1', field: 'page-2', text: 'p2', ttlSeconds: 10, guard: '' }))
  t.same(await redis.hgetall('analytics:user:u1'), { 'page-1': 'p1', 'page-2': 'p2' })
  t.ok((await redis.ttl('analytics:user:u1')) > 3500, 'the first field set the hash TTL')
})

t.test('an invalidation during the load drops the fill; the next load stores', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:dashboard:e1'
  t.ok(await fillIfUnchanged(redis, { key, text: 'before', ttlSeconds: 3600, guard: await readFillGuard(redis, key) }))

  // A loader misses (say after a TTL), reads the guard, reads PostgreSQL (old figures) ...
  await redis.del(key)
  const guard = await readFillGuard(redis, key)
  // ... the aggregator commits and invalidates ...
  await invalidateProjections(redis, [key])
  // ... and only then does the loader try to store what it read before the commit.
  t.notOk(await fillIfUnchanged(redis, { key, text: 'stale', ttlSeconds: 3600, guard }), 'fill dropped')
  t.equal(await redis.exists(key), 0, 'nothing stale stored')

  const next = await readFillGuard(redis, key)
  t.not(next, guard, 'the invalidation moved the guard')
  t.ok(await fillIfUnchanged(redis, { key, text: 'after', ttlSeconds: 3600, guard: next }))
  t.equal(await redis.get(key), 'after')
})

t.test('invalidation deletes every key, bumps each guard and bounds the guards with a TTL', async (t) => {
  const redis = await connect(t)
  const keys = Array.from({ length: 450 }, (_, i) => `analytics:channel:e1:CH${i}`)
  await redis.mset(...keys.flatMap((key) => [key, 'x']))
  await redis.hset('analytics:timeline:e1:day', 'f', 'x')
  await invalidateProjections(redis, [...keys, 'analytics:timeline:e1:day'])
  t.equal(await redis.exists(...keys, 'analytics:timeline:e1:day'), 0)
  t.equal(await redis.get(fillGuardKey(keys[449]!)), '1')
  await invalidateProjections(redis, [keys[0]!])
  t.equal(await redis.get(fillGuardKey(keys[0]!)), '2')
  const ttl = await redis.ttl(fillGuardKey(keys[0]!))
  t.ok(ttl > 0 && ttl <= 3600, `guard TTL ${ttl}`)
})
