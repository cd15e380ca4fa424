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
  t.match(guard, /^[0-9]+$/, 'a guard is taken even before the first invalidation')
  t.equal(await readFillGuard(redis, 'analytics:roi:e1'), guard, 'and held by the next loader too')
  t.ok(await fillIfUnchanged(redis, { key: 'analytics:roi:e1', text: 'v1', ttlSeconds: 3600, guard }))
  t.equal(await redis.get('analytics:roi:e1'), 'v1')
  t.ok((await redis.ttl('analytics:roi:e1')) > 3500)

  const userGuard = await readFillGuard(redis, 'analytics:user:u1')
  t.ok(await fillIfUnchanged(redis, { key: 'analytics:user:u1', field: 'page-1', text: 'p1', ttlSeconds: 3600, guard: userGuard }))
  t.ok(await fillIfUnchanged(redis, { key: 'analytics:user:u1', field: 'page-2', text: 'p2', ttlSeconds: 10, guard: userGuard }))
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

t.test('invalidation deletes every key, replaces each guard and bounds the guards with a TTL', async (t) => {
  const redis = await connect(t)
  const keys = Array.from({ length: 450 }, (_, i) => `analytics:channel:e1:CH${i}`)
  await redis.mset(...keys.flatMap((key) => [key, 'x']))
  await redis.hset('analytics:timeline:e1:day', 'f', 'x')
  await invalidateProjections(redis, [...keys, 'analytics:timeline:e1:day'])
  t.equal(await redis.exists(...keys, 'analytics:timeline:e1:day'), 0)
  const first = await redis.get(fillGuardKey(keys[0]!))
  t.match(await redis.get(fillGuardKey(keys[449]!)), /^[0-9]+$/, 'the last chunk got its guard too')
  await invalidateProjections(redis, [keys[0]!])
  const second = await redis.get(fillGuardKey(keys[0]!))
  t.not(second, first, 'each invalidation writes a new value')
  // A previous release's aggregator INCRs guards: values must stay integers it can bump.
  await redis.incr(fillGuardKey(keys[0]!))
  t.equal(await redis.get(fillGuardKey(keys[0]!)), String(BigInt(second!) + 1n), 'an INCR still works')
  const ttl = await redis.ttl(fillGuardKey(keys[0]!))
  t.ok(ttl > 0 && ttl <= 3600, `guard TTL ${ttl}`)
})

// An evictable cache Redis (allkeys-lru) or a restart may drop a guard key at any moment; the
// DEL below has the same effect on the keyspace as that eviction.
t.test('a guard evicted after an invalidation does not let a stale fill through', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:timeline:e1:day'
  // A loader misses a key that was never invalidated, reads its guard, reads PostgreSQL ...
  const guard = await readFillGuard(redis, key)
  // ... the aggregator commits and invalidates ...
  await invalidateProjections(redis, [key])
  // ... and the cache Redis evicts the guard before the loader stores what it read.
  await redis.del(fillGuardKey(key))
  t.notOk(await fillIfUnchanged(redis, { key, field: 'f', text: 'stale', ttlSeconds: 3600, guard }), 'fill dropped')
  t.equal(await redis.exists(key), 0, 'nothing stale stored')
})

t.test('a guard evicted and invalidated again never returns to a value a loader holds', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:roi:e1'
  await invalidateProjections(redis, [key])
  // A loader holds the guard left by one invalidation ...
  const guard = await readFillGuard(redis, key)
  // ... the guard is evicted, and the next commit invalidates the key again.
  await redis.del(fillGuardKey(key))
  await invalidateProjections(redis, [key])
  t.notOk(await fillIfUnchanged(redis, { key, text: 'stale', ttlSeconds: 3600, guard }), 'fill dropped')
  t.equal(await redis.exists(key), 0, 'nothing stale stored')
})

t.test('a guard evicted during a load only costs that fill', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:dashboard:e2'
  const guard = await readFillGuard(redis, key)
  await redis.del(fillGuardKey(key))
  t.notOk(await fillIfUnchanged(redis, { key, text: 'maybe stale', ttlSeconds: 3600, guard }), 'dropped: nothing proves it fresh')
  const next = await readFillGuard(redis, key)
  t.ok(await fillIfUnchanged(redis, { key, text: 'fresh', ttlSeconds: 3600, guard: next }), 'the next load stores')
  t.equal(await redis.get(key), 'fresh')
})
