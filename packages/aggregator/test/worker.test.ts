/**
 * Through real Redis and PostgreSQL: jobs are applied and settled in PostgreSQL, a poison
 * message is recorded as an apply failure (once, with its offset and reason) while every
 * other message is applied and no job is failed, a replayed job changes nothing, and the
 * cache keys of what changed are deleted after commit.
 */
import t from 'tap'
import { cacheKeys, toJobEvent } from '@event-analytics/contracts'
import type { DomainEvent } from '@event-analytics/contracts'
import { readSettledJobs } from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import { createAggregator } from '../src/index.js'
import { reference } from './helpers/reference.js'
import { openQueue, testConfig, uniquePrefix } from './helpers/queue.js'
import { readTables, sortTables } from './helpers/tables.js'

const at = Date.UTC(2024, 5, 3, 9, 30)
let n = 0
const participant = (eventId: string, channelName: string | null): DomainEvent => ({
  kind: 'ParticipantRegistered',
  messageId: `w-${(n += 1)}`,
  eventId,
  occurredAt: at + n * 1000,
  participantId: 'p',
  channelName,
})
const created = (eventId: string, userId: string): DomainEvent => ({
  kind: 'EventCreated',
  messageId: `w-${(n += 1)}`,
  eventId,
  occurredAt: at,
  userId,
  title: 'Spring giveaway',
  totalInvestment: '1000.00',
  expectedRevenue: '5000.00',
  expectedParticipants: 10,
  targetRoi: '100.00',
  salesGrowthRate: null,
})

t.test('worker applies jobs, isolates a poison message, ignores replays, invalidates the cache', async (t) => {
  const { db, url } = await createTestDatabase(t)
  const prefix = uniquePrefix('worker')
  const q = await openQueue(prefix)
  t.teardown(() => q.close())

  const cachedKeys = [
    cacheKeys.dashboard('wa'),
    cacheKeys.channel('wa', 'INSTAGRAM'),
    cacheKeys.user('owner-1'),
    cacheKeys.timeline('wa', 'day'),
  ]
  await q.redis.mset(...cachedKeys.flatMap((key) => [key, 'stale']))
  const unrelated = cacheKeys.dashboard('not-touched')
  await q.redis.set(unrelated, 'keep')
  t.teardown(() => q.redis.del(...cachedKeys, unrelated).then(() => undefined))

  const good: DomainEvent[] = [
    created('wa', 'owner-1'),
    participant('wa', 'INSTAGRAM'),
    participant('wa', null),
    participant('wb', 'KAKAO'),
  ]
  const poison = participant('x'.repeat(100), null) // event_id is varchar(36): the database rejects it
  const mixed = [participant('wb', null), poison, participant('wa', 'INSTAGRAM')]
  await q.add(good) // objects, as an ingest worker older than the participant tuple enqueued them
  const poisonJobId = await q.add(mixed.map(toJobEvent))
  const replayed = await q.add([good[1]!, good[2]!]) // same messages again, as a different job

  const aggregator = createAggregator(testConfig(url, prefix), { defaultMetrics: false })
  await aggregator.start()
  t.teardown(() => aggregator.close())
  const counts = await q.settled()
  t.same(counts, { completed: 3, failed: 0 }, 'no job is failed: a refused message is not parked in Redis')

  const settled = await readSettledJobs(db, [poisonJobId, replayed])
  t.same(settled.get(replayed), [], 'the replayed job is settled without failures')
  const failures = settled.get(poisonJobId)
  t.equal(failures?.length, 1, 'the poison job is settled with exactly one failure')
  t.match(failures?.[0], { messageId: poison.messageId, reason: /ParticipantRegistered of event x{100}: .*too long/ })
  const poisonOffset = BigInt(poisonJobId.split('|')[2]!.split('-')[0]!) + 1n
  t.equal(failures?.[0]?.offset, poisonOffset.toString(), 'the failure names the Kafka offset of the poison message')

  const applied = [...good, mixed[0]!, mixed[2]!]
  const expected = reference(applied)
  t.strictSame(sortTables(await readTables(db, ['wa', 'wb'])), sortTables(expected))

  t.same(await q.redis.exists(...cachedKeys), 0, 'cache entries of changed projections deleted')
  t.equal(await q.redis.get(unrelated), 'keep', 'other entries untouched')

  const metrics = await aggregator.metrics.registry.metrics()
  t.match(metrics, /aggregator_poison_messages_total 1/)
  t.match(metrics, /aggregator_duplicates_dropped_total [1-9]/)

  // A job retried by hand (same data again) changes nothing.
  const before = await readTables(db, ['wa', 'wb'])
  await q.add(good)
  await q.settled()
  t.strictSame(await readTables(db, ['wa', 'wb']), before)
})
