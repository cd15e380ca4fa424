/**
 * The fill-guard protocol on real Redis: a fill whose guard is unchanged is stored; a fill
 * that raced an invalidation (the stale-entry race of plain cache-aside) is dropped.
 */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { Redis } from 'ioredis'
import {
  HASH_SIZE_FIELD,
  fillGuardKey,
  fillIfUnchanged as fillWithLimits,
  invalidateProjections,
  readFillGuard,
} from '../src/cache-protocol.js'
import type { FillLimits, GuardedFill } from '../src/cache-protocol.js'

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'

const roomy: FillLimits = { maxBytes: 1 << 20, maxFields: 100 }

/** True when stored (the guard tests); the cap has its own tests below. */
async function fillIfUnchanged(redis: Redis, fill: Omit<GuardedFill, 'limits'>): Promise<boolean> {
  return (await fillWithLimits(redis, { ...fill, limits: roomy })) === 'stored'
}

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
  t.same(
    await redis.hgetall('analytics:user:u1'),
    { 'page-1': 'p1', 'page-2': 'p2', [HASH_SIZE_FIELD]: '16' },
    'fields and their byte count',
  )
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
  t.not(next, guard, 'the next loader holds a fresh guard')
  t.ok(await fillIfUnchanged(redis, { key, text: 'after', ttlSeconds: 3600, guard: next }))
  t.equal(await redis.get(key), 'after')
})

t.test('a loader that started after the invalidation stores; the one that started before does not', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:channel:e1:CH1'
  const before = await readFillGuard(redis, key)
  await invalidateProjections(redis, [key])
  // The invalidation deleted the guard: the next loader writes a fresh one and holds it.
  const after = await readFillGuard(redis, key)
  t.not(after, before)
  t.notOk(
    await fillIfUnchanged(redis, { key, text: 'read before the commit', ttlSeconds: 3600, guard: before }),
    'the earlier load is dropped',
  )
  t.ok(await fillIfUnchanged(redis, { key, text: 'read after the commit', ttlSeconds: 3600, guard: after }), 'the later load is stored')
  t.equal(await redis.get(key), 'read after the commit')
})

t.test('invalidation deletes every key with its guard, and writes no guard of its own', async (t) => {
  const redis = await connect(t)
  const keys = Array.from({ length: 450 }, (_, i) => `analytics:channel:e1:CH${i}`)
  await redis.mset(...keys.flatMap((key) => [key, 'x']))
  for (const key of keys) await readFillGuard(redis, key)
  await redis.hset('analytics:timeline:e1:day', 'f', 'x')
  const neverLoaded = 'analytics:roi:e9'
  await invalidateProjections(redis, [...keys, 'analytics:timeline:e1:day', neverLoaded])
  t.equal(await redis.exists(...keys, 'analytics:timeline:e1:day'), 0, 'every key is gone, the last chunk too')
  t.equal(await redis.exists(...keys.map(fillGuardKey)), 0, 'every guard is gone with its key')
  t.equal(await redis.exists(fillGuardKey(neverLoaded)), 0, 'a key nobody loaded gets no guard')
})

t.test('a guard a loader writes is an integer a previous release can INCR, and expires', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:dashboard:e3'
  const guard = await readFillGuard(redis, key)
  t.ok(BigInt(guard) < 1n << 61n, 'below 2^61')
  await redis.incr(fillGuardKey(key))
  t.equal(await redis.get(fillGuardKey(key)), String(BigInt(guard) + 1n), 'an INCR still works')
  const ttl = await redis.ttl(fillGuardKey(key))
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
  // A loader takes a guard after one invalidation ...
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

t.test('a hash stops growing at its field cap; the fills past it are refused, not stored', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:timeline:e1:hour'
  const limits: FillLimits = { maxBytes: 1 << 20, maxFields: 3 }
  const guard = await readFillGuard(redis, key)
  const outcomes = []
  for (let i = 0; i < 5; i += 1)
    outcomes.push(await fillWithLimits(redis, { key, field: `from=${i}`, text: 'body', ttlSeconds: 3600, guard, limits }))
  t.same(outcomes, ['stored', 'stored', 'stored', 'over-cap', 'over-cap'])
  t.equal(await redis.hlen(key), 3 + 1, 'three fields and the byte count')
  t.equal(
    await fillWithLimits(redis, { key, field: 'from=0', text: 'new body', ttlSeconds: 3600, guard, limits }),
    'stored',
    'an existing field may still be replaced',
  )
  t.equal(await redis.hget(key, 'from=0'), 'new body')
})

t.test('a hash stops growing at its byte cap, counting names and values, replacements included', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:channels:e1'
  const limits: FillLimits = { maxBytes: 100, maxFields: 100 }
  const guard = await readFillGuard(redis, key)
  const fill = (field: string, text: string) => fillWithLimits(redis, { key, field, text, ttlSeconds: 3600, guard, limits })
  t.equal(await fill('a=1', 'x'.repeat(37)), 'stored', '40 bytes')
  t.equal(await fill('b=1', 'x'.repeat(37)), 'stored', '80 bytes')
  t.equal(await fill('c=1', 'x'.repeat(18)), 'over-cap', '101 bytes would pass the cap')
  t.equal(await fill('c=1', 'x'.repeat(17)), 'stored', 'exactly 100 bytes')
  t.equal(await redis.hget(key, HASH_SIZE_FIELD), '100')
  t.equal(await fill('a=1', 'x'.repeat(38)), 'over-cap', 'a replacement counts its growth')
  t.equal(await fill('a=1', 'x'.repeat(7)), 'stored', 'and its shrinking')
  t.equal(await redis.hget(key, HASH_SIZE_FIELD), '70')
  t.equal(await fill('d=1', '\u00e9'.repeat(15)), 'over-cap', 'bytes, not characters: 3 + 30 > 30 left')
  t.equal(await fill('d=1', '\u00e9'.repeat(13)), 'stored', '3 + 26 bytes')
  t.equal(await redis.hget(key, HASH_SIZE_FIELD), '99')
  const stored = await redis.hgetall(key)
  const counted = Object.entries(stored)
    .filter(([name]) => name !== HASH_SIZE_FIELD)
    .reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0)
  t.equal(counted, 99, 'the count matches what the hash holds')
})

t.test('a plain value over the byte cap is refused; the count leaves with the invalidated hash', async (t) => {
  const redis = await connect(t)
  const limits: FillLimits = { maxBytes: 10, maxFields: 10 }
  const roi = 'analytics:roi:e9'
  t.equal(
    await fillWithLimits(redis, { key: roi, text: 'x'.repeat(11), ttlSeconds: 3600, guard: await readFillGuard(redis, roi), limits }),
    'over-cap',
  )
  t.equal(await redis.exists(roi), 0)

  const key = 'analytics:user:u9'
  const guard = await readFillGuard(redis, key)
  t.equal(await fillWithLimits(redis, { key, field: 'p=1', text: 'x'.repeat(7), ttlSeconds: 3600, guard, limits }), 'stored')
  await invalidateProjections(redis, [key])
  const next = await readFillGuard(redis, key)
  t.equal(
    await fillWithLimits(redis, { key, field: 'p=2', text: 'y'.repeat(7), ttlSeconds: 3600, guard: next, limits }),
    'stored',
    'room again after the invalidation',
  )
  await t.rejects(fillWithLimits(redis, { key, field: HASH_SIZE_FIELD, text: '1', ttlSeconds: 3600, guard: next, limits }), /reserved/)
})

t.test('concurrent fills of one hash do not overshoot its cap', async (t) => {
  const redis = await connect(t)
  const key = 'analytics:timeline:e2:day'
  const limits: FillLimits = { maxBytes: 10_000, maxFields: 1000 }
  const guard = await readFillGuard(redis, key)
  const outcomes = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      fillWithLimits(redis, { key, field: `f=${String(i).padStart(3, '0')}`, text: 'x'.repeat(95), ttlSeconds: 3600, guard, limits }),
    ),
  )
  t.equal(outcomes.filter((outcome) => outcome === 'stored').length, 100, '100 fills of 100 bytes fit, no more')
  t.equal(await redis.hget(key, HASH_SIZE_FIELD), '10000')
})
