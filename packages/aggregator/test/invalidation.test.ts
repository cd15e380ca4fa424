/**
 * Cache invalidation after commit, through real Redis and PostgreSQL, in the two cases where
 * the committed effects and the cache could part ways:
 * - the commit succeeded but the aggregator never learned it (PostgreSQL restarting): the
 *   retried batch finds every message applied and must still invalidate;
 * - Redis refuses the invalidation: the batch is retried until it is accepted, and applied once.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import t from 'tap'
import { cacheKeys, decodeChange } from '@event-analytics/contracts'
import { fillGuardKey, readFillGuard } from '@event-analytics/ops'
import type { DomainEvent } from '@event-analytics/contracts'
import { createTestDatabase } from '@event-analytics/db/testing'
import { commitMessages, createAggregator } from '../src/index.js'
import { openQueue, REDIS_URL, testConfig, uniquePrefix } from './helpers/queue.js'
import { reference } from './helpers/reference.js'
import { readTables, sortTables } from './helpers/tables.js'

const run = randomBytes(3).toString('hex')
const at = Date.UTC(2024, 6, 1, 12, 0)
let n = 0
const id = () => `inv-${run}-${(n += 1)}`
const created = (eventId: string, userId: string): DomainEvent => ({
  kind: 'EventCreated',
  messageId: id(),
  eventId,
  occurredAt: at,
  userId,
  title: 'Coupon draw',
  totalInvestment: '100.00',
  expectedRevenue: '900.00',
  expectedParticipants: 3,
  targetRoi: '10.00',
  salesGrowthRate: null,
})
const participant = (eventId: string, channelName: string): DomainEvent => ({
  kind: 'ParticipantRegistered',
  messageId: id(),
  eventId,
  occurredAt: at + n * 1000,
  participantId: `p-${n}`,
  channelName,
})

/** A fresh database, a queue under its own prefix, and an event with its owner. */
async function setup(t: { teardown(fn: () => unknown): void }, name: string) {
  const { db, url } = await createTestDatabase(t)
  const prefix = uniquePrefix(`invalidation-${name}`)
  const q = await openQueue(prefix)
  t.teardown(() => q.close())
  return { db, url, prefix, q, eventId: `i${name}-${run}`, owner: `owner-${name}-${run}` }
}

t.test('a batch found already applied still invalidates what it names', async (t) => {
  const { db, url, prefix, q, eventId, owner } = await setup(t, 'replay')
  const messages = [created(eventId, owner), participant(eventId, 'INSTAGRAM')]

  // The first attempt committed, but its acknowledgement was lost before the invalidation ...
  await commitMessages(db, messages)
  // ... and a dashboard poll cached the figures of before that commit meanwhile.
  const stale = [cacheKeys.dashboard(eventId), cacheKeys.channel(eventId, 'INSTAGRAM'), cacheKeys.user(owner)]
  await q.redis.mset(...stale.flatMap((key) => [key, 'before the commit']))
  t.teardown(() => q.redis.del(...stale).then(() => undefined))

  const subscriber = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  t.teardown(() => subscriber.quit())
  await subscriber.subscribe(`${prefix}:changes`)
  const heard = new Promise<readonly string[] | undefined>((resolve) =>
    subscriber.once('message', (_channel: string, text: string) => resolve(decodeChange(text)?.eventIds)),
  )

  await q.add(messages) // the retry of the same messages
  const aggregator = createAggregator(testConfig(url, prefix), { defaultMetrics: false })
  await aggregator.start()
  t.teardown(() => aggregator.close())
  t.same(await q.settled(), { completed: 1, failed: 0 })

  t.equal(await q.redis.exists(...stale), 0, 'dashboard, channel and owner summary invalidated')
  t.same(await heard, [eventId], 'and the event announced on the changes channel')
  t.match(await aggregator.metrics.registry.metrics(), /aggregator_duplicates_dropped_total 2/)
  t.strictSame(sortTables(await readTables(db, [eventId])), sortTables(reference(messages)), 'applied once')
})

t.test('a refused invalidation is retried until Redis accepts it, and the batch is applied once', async (t) => {
  const { db, url, prefix, q, eventId, owner } = await setup(t, 'refused')
  const dashboard = cacheKeys.dashboard(eventId)
  await q.redis.set(dashboard, 'before the commit')
  const guard = await readFillGuard(q.redis, dashboard)
  t.teardown(() => q.redis.del(dashboard, fillGuardKey(dashboard)).then(() => undefined))

  // The cache connection as a Redis user allowed the queue's keys only: every invalidation is
  // refused (NOPERM) while BullMQ works normally.
  const user = `aggregator-test-${run}`
  await q.redis.call('ACL', 'SETUSER', user, 'reset', 'on', '>secret', `~${prefix}*`, '&*', '+@all')
  t.teardown(() => q.redis.call('ACL', 'DELUSER', user).then(() => undefined))
  const cacheRedisUrl = REDIS_URL.replace('redis://', `redis://${user}:secret@`)

  const messages = [created(eventId, owner), participant(eventId, 'KAKAO'), participant(eventId, 'KAKAO')]
  const jobId = await q.add(messages)
  const aggregator = createAggregator(testConfig(url, prefix, { cacheRedisUrl }), { defaultMetrics: false })
  await aggregator.start()
  t.teardown(() => aggregator.close())

  const failures = async () =>
    /aggregator_cache_invalidation_failures_total ([0-9]+)/.exec(await aggregator.metrics.registry.metrics())?.[1]
  const state = async () => (await q.queue.getJob(jobId))?.getState()
  // Until the batch was refused twice, or its job settled (the behaviour this test rules out).
  while (Number(await failures()) < 2 && ['waiting', 'active'].includes(String(await state()))) {
    await sleep(50)
  }
  t.equal(await state(), 'active', 'the job is neither completed nor failed while refused')
  t.equal(await q.redis.get(dashboard), 'before the commit', 'still cached: the invalidation was refused')

  await q.redis.call('ACL', 'SETUSER', user, 'allkeys')
  t.same(await q.settled(), { completed: 1, failed: 0 })
  t.equal(await q.redis.exists(dashboard), 0, 'invalidated once Redis accepted it')
  t.not(await q.redis.get(fillGuardKey(dashboard)), guard, 'and its fill guard no longer holds what a loader took before')
  t.strictSame(sortTables(await readTables(db, [eventId])), sortTables(reference(messages)), 'applied once across the retries')
})
