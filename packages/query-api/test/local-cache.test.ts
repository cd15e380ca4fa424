/**
 * The in-process cache layer (src/cache/local-cache.ts, plugins/cache.ts) on real PostgreSQL and
 * a redis-server of this file's own (killed and counted): a hit sends Redis nothing, an
 * announced change drops the event's entries, a read that raced an announcement is not kept, a
 * lost subscription clears the layer and bypasses it until resubscribed, the max-age backstop,
 * the metrics, and the switch to turn it off. The bounds and the race are also checked as pure
 * logic with a fake clock.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { Redis } from 'ioredis'
import { cacheKeys } from '@event-analytics/contracts'
import { invalidateProjections } from '@event-analytics/ops'
import { startRedisServer } from '@event-analytics/ops/testing'
import { LocalProjectionCache } from '../src/cache/local-cache.js'
import { encodeOwnedEntry } from '../src/cache/owned-entry.js'
import { bearer, createHarness } from './helpers.js'
import type { Harness } from './helpers.js'

const EVENT = 'evt-local'
const OWNER = 'owner-local'

async function seed(h: Harness): Promise<void> {
  await h.testDb.db
    .insertInto('event_stats')
    .values({ event_id: EVENT, user_id: OWNER, title: 'Local', event_created_at: new Date('2026-03-01T00:00:00Z') })
    .execute()
}

const setParticipants = (h: Harness, participants: number) =>
  h.testDb.db.updateTable('event_stats').set({ total_participants: participants }).where('event_id', '=', EVENT).execute()

async function client(h: Harness) {
  const headers = bearer(await h.token(OWNER))
  return async (url = `/api/v1/events/${EVENT}/analytics`) => {
    const response = await h.app.inject({ url, headers })
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${response.body}`)
    return { participants: (response.json() as { summary: { totalParticipants: number } }).summary.totalParticipants, response }
  }
}

/** Commands the server executed so far, INFO itself excluded (one connection: its set-up is not counted twice). */
function commandCounter(url: string, t: { teardown(fn: () => unknown): void }): () => Promise<number> {
  const probe = new Redis(url, { maxRetriesPerRequest: 1 })
  t.teardown(() => probe.disconnect())
  return async () => {
    const info = await probe.info('commandstats')
    let calls = 0
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (match[1] !== 'info') calls += Number(match[2])
    return calls
  }
}

async function localCount(h: Harness, result: 'hit' | 'miss' | 'bypass'): Promise<number> {
  const values = (await h.metrics.localCacheRequests.get()).values
  return values.find((value) => value.labels['projection'] === 'dashboard' && value.labels['result'] === result)?.value ?? 0
}

t.test('pure: LRU within entry and byte bounds, max age, per-event invalidation, racing fills', async (t) => {
  let now = 0
  const options = { maxEntries: 2, maxBytes: 1_000_000, maxAgeMs: 1000, now: () => now }
  let cache = new LocalProjectionCache(options)
  const get = (key: string) => cache.get(key)?.text
  const fill = (eventId: string, key: string, text: string) => cache.finishFill(cache.beginFill(eventId, key), text)
  t.ok(fill('e1', 'a', 'A'))
  t.ok(fill('e2', 'b', 'B'))
  t.equal(get('a'), 'A', 'a is now the most recently used')
  t.ok(fill('e3', 'c', 'C'))
  t.same([get('b'), get('a'), get('c')], [undefined, 'A', 'C'], 'b, the least recently used, went')

  cache = new LocalProjectionCache({ ...options, maxEntries: 10, maxBytes: 200 })
  t.notOk(fill('e4', 'big', 'x'.repeat(100)), 'larger than the byte bound alone: not kept')
  t.ok(fill('e1', 'a', 'A')) // 4 bytes: (key + text) x 2
  t.ok(fill('e3', 'c', 'C'))
  t.equal(get('a'), 'A', 'c is now the least recently used')
  t.ok(fill('e4', 'd', 'x'.repeat(96))) // 194 bytes: 202 in all
  t.same([get('c'), get('a'), cache.size, cache.bytes], [undefined, 'A', 2, 198], 'c went to stay within 200 bytes')

  now = 999
  t.equal(get('d'), 'x'.repeat(96))
  now = 1000
  t.equal(get('d'), undefined, 'at max age an entry is gone')
  t.equal(cache.size, 1)
  cache.clear()

  t.ok(fill('e1', 'a', 'A'))
  const racing = cache.beginFill('e1', 'a2')
  const other = cache.beginFill('e2', 'b')
  t.same(
    cache.invalidate(['e1']).map((pending) => pending.key),
    ['a2'],
    'the reads in progress of the event are reported',
  )
  t.equal(get('a'), undefined, 'the event entry is dropped')
  t.notOk(cache.finishFill(racing, 'old A2'), 'a read started before the announcement is not kept')
  t.ok(cache.finishFill(other, 'B'), 'another event is unaffected')
  const beforeGap = cache.beginFill('e2', 'b2')
  t.same(
    cache.clear().map((pending) => pending.key),
    ['b2'],
  )
  t.equal(cache.size, 0)
  t.notOk(cache.finishFill(beforeGap, 'B2'), 'a read started before a gap is not kept')
})

t.test('a hit is served without Redis; an announced change drops it; the layer can be turned off', async (t) => {
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  const commandsRun = commandCounter(server.url, t)
  const h = await createHarness(t, { CACHE_REDIS_URL: server.url })
  await seed(h)
  const get = await client(h)
  await h.app.changes.ready()
  t.equal((await get()).response.headers['x-cache'], 'miss')
  const before = await commandsRun()
  for (let i = 0; i < 5; i += 1) t.equal((await get()).response.headers['x-cache'], 'hit')
  t.equal(await commandsRun(), before, 'five hits, not one Redis command')
  t.equal(await localCount(h, 'hit'), 5)

  await setParticipants(h, 42)
  t.equal((await get()).participants, 0, 'not announced: still the held body')
  await h.invalidate([cacheKeys.dashboard(EVENT)], [EVENT])
  t.equal((await get()).participants, 42, 'announced: read again')
  const metrics = (await h.app.inject({ url: '/metrics' })).body
  t.match(metrics, /query_api_local_cache_requests_total\{projection="dashboard",result="hit"\} 6/)
  t.match(metrics, /query_api_local_cache_requests_total\{projection="dashboard",result="miss"\} 2/)
  t.match(metrics, /query_api_cache_requests_total\{projection="dashboard",result="miss"\} 2/, 'the misses reached Redis')
  t.match(metrics, /query_api_local_cache_entries 1/)

  const off = await createHarness(t, { CACHE_REDIS_URL: server.url, API_LOCAL_CACHE_ENABLED: 'false' })
  await seed(off)
  const getOff = await client(off)
  await getOff()
  const beforeOff = await commandsRun()
  t.equal((await getOff()).response.headers['x-cache'], 'hit')
  t.ok((await commandsRun()) > beforeOff, 'turned off: the hit is read from Redis')
  t.equal((await off.metrics.localCacheRequests.get()).values.length, 0, 'nothing counted by the local layer')
})

t.test('a read that started before an announcement is served once and not kept', async (t) => {
  const h = await createHarness(t)
  await h.app.changes.ready()
  const key = cacheKeys.dashboard('evt-race')
  const request = (text: string, load?: () => Promise<void>) =>
    h.app.projectionCache.getText({
      projection: 'dashboard',
      key,
      eventId: 'evt-race',
      load: async () => {
        await load?.()
        return text
      },
    })
  const dropped = async () => (await h.metrics.localCacheFillsDropped.get()).values[0]?.value ?? 0
  const localMisses = async () =>
    (await h.metrics.localCacheRequests.get()).values.find(
      (value) => value.labels['projection'] === 'roi' && value.labels['result'] === 'miss',
    )?.value ?? 0

  let later: Promise<unknown> | undefined
  const raced = await request('before the commit', async () => {
    // The aggregator commits and announces while this read is in PostgreSQL.
    await h.invalidate([key], ['evt-race'])
    // A reader arriving now must not share the read that started before the change.
    later = request('after the commit')
    await later
  })
  t.same(raced, { value: 'before the commit', hit: false }, 'served to the reader that started before')
  t.same(await later, { value: 'after the commit', hit: false }, 'a later reader started a read of its own')
  t.same(await request('never loaded'), { value: 'after the commit', hit: true }, 'what is kept is the read after the change')

  // The local check alone: an announcement without the Redis guard going (so Redis keeps the fill).
  const other = cacheKeys.roi('evt-race')
  const announceOnly = async () => {
    let stop = (): void => undefined
    const heard = new Promise<void>((resolve) => {
      stop = h.app.changes.listen({ onChange: () => resolve() })
    })
    await invalidateProjections(h.redis, [], { channel: h.config.live.changesChannel, eventIds: ['evt-race'] })
    await heard.finally(stop)
  }
  const load = (text: string, during?: () => Promise<void>) =>
    h.app.projectionCache.getText({
      projection: 'roi',
      key: other,
      eventId: 'evt-race',
      load: async () => {
        await during?.()
        return text
      },
    })
  t.same(await load('read before', announceOnly), { value: 'read before', hit: false })
  t.equal(await dropped(), 1, 'not kept in process: counted as a dropped local fill')
  t.equal(await h.redis.exists(other), 1, 'Redis kept it (its guard stayed)')
  const misses = await localMisses()
  t.same(await load('not loaded'), { value: 'read before', hit: true }, 'a Redis hit')
  t.equal(await localMisses(), misses + 1, 'after a local miss')
})

t.test('a lost subscription clears the layer and bypasses it until resubscribed', async (t) => {
  const server = await startRedisServer()
  t.teardown(() => server.stop())
  const h = await createHarness(t, { CACHE_REDIS_URL: server.url })
  await seed(h)
  const get = await client(h)
  await h.app.changes.ready()
  await get()
  t.equal((await get()).response.headers['x-cache'], 'hit')
  t.equal(h.app.changes.live, true)

  const gap = new Promise<void>((resolve) => h.app.changes.listen({ onGap: resolve }))
  await server.kill()
  await gap
  t.equal(h.app.changes.live, false)
  // Committed while the subscription was down: its announcement is lost for good.
  await setParticipants(h, 7)
  const during = await get()
  t.equal(during.participants, 7, 'no held body survives the gap')
  t.equal(during.response.headers['x-cache'], 'miss', 'Redis away: served from PostgreSQL')
  t.ok((await localCount(h, 'bypass')) >= 1, 'counted as a bypass')
  t.match((await h.app.inject({ url: '/metrics' })).body, /query_api_local_cache_resets_total 1/)

  const resumed = new Promise<void>((resolve) => h.app.changes.listen({ onResume: resolve }))
  await server.restart()
  await resumed
  t.equal(h.app.changes.live, true, 'resubscribed')
  await setParticipants(h, 8)
  t.equal((await get()).participants, 8, 'the first read after the gap loads again')
  t.equal((await get()).response.headers['x-cache'], 'hit', 'and is kept again')
})

t.test('max age: an entry whose announcement never came is read again after API_LOCAL_CACHE_MAX_AGE_MS', async (t) => {
  const maxAgeMs = 1500
  const h = await createHarness(t, { API_LOCAL_CACHE_MAX_AGE_MS: String(maxAgeMs) })
  await seed(h)
  const get = await client(h)
  await h.app.changes.ready()
  const first = await get()
  // A writer that forgot to announce: Redis changed, no message.
  const entry = { owner: OWNER, etag: '"changed"', body: first.response.body.replace('"totalParticipants":0', '"totalParticipants":99') }
  await h.redis.set(cacheKeys.dashboard(EVENT), encodeOwnedEntry(entry), 'EX', 3600)
  t.equal((await get()).participants, 0, 'not announced: the held body, until its max age')
  await sleep(maxAgeMs + 100)
  t.equal((await get()).participants, 99, 'past the max age the held body is gone')
  const hits = await localCount(h, 'hit')
  t.equal((await get()).participants, 99)
  t.equal(await localCount(h, 'hit'), hits + 1, 'what Redis had is held again')
})

t.test('announcements on the changes channel reach a layer with no Redis key deleted', async (t) => {
  const h = await createHarness(t)
  await seed(h)
  const get = await client(h)
  await h.app.changes.ready()
  await get()
  const misses = await localCount(h, 'miss')
  // Only the message (no key invalidated): the local copy goes, Redis still has the entry.
  let stop = (): void => undefined
  const heard = new Promise<void>((resolve) => {
    stop = h.app.changes.listen({ onChange: () => resolve() })
  })
  await invalidateProjections(h.redis, [], { channel: h.config.live.changesChannel, eventIds: [EVENT] })
  await heard.finally(stop)
  t.equal((await get()).response.headers['x-cache'], 'hit', 'a Redis hit')
  t.equal(await localCount(h, 'miss'), misses + 1, 'after a local miss')
})
