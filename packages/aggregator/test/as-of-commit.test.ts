/**
 * docs/SPEC.md section 9 through real Redis and PostgreSQL: a message dated 10 h ahead (valid,
 * SPEC section 3) counts as of the commit that applied it, so asOf is never in the future; the
 * event keeps the commit time and the ingest read time its job carried (the pipeline delay),
 * and a job from an older ingest worker (no readAt) is applied with the delay unknown.
 */
import t from 'tap'
import type { DomainEvent } from '@event-analytics/contracts'
import { createTestDatabase } from '@event-analytics/db/testing'
import { createAggregator } from '../src/index.js'
import { openQueue, testConfig, uniquePrefix } from './helpers/queue.js'

const HOUR_MS = 3_600_000
let n = 0
const participant = (eventId: string, occurredAt: number): DomainEvent => ({
  kind: 'ParticipantRegistered',
  messageId: `asof-${(n += 1)}`,
  eventId,
  occurredAt,
  participantId: `p-${n}`,
  channelName: 'INSTAGRAM',
})

t.test('a message dated ahead counts as of its commit; the commit keeps its ingest read time', async (t) => {
  const { db, url } = await createTestDatabase(t)
  const prefix = uniquePrefix('asof')
  const q = await openQueue(prefix)
  t.teardown(() => q.close())

  const readAt = Date.now() - 250
  await q.add([participant('ahead', Date.now() + 10 * HOUR_MS), participant('ahead', Date.now() - HOUR_MS)], 0, readAt)
  await q.add([participant('older-worker', Date.now() - HOUR_MS)], 1)
  const before = Date.now()
  const aggregator = createAggregator(testConfig(url, prefix), { defaultMetrics: false })
  await aggregator.start()
  t.teardown(() => aggregator.close())
  t.same(await q.settled(), { completed: 2, failed: 0 })

  const rows = await db
    .selectFrom('event_stats')
    .select(['event_id', 'total_participants', 'last_occurred_at', 'last_committed_at', 'last_ingest_read_at'])
    .orderBy('event_id')
    .execute()
  const ahead = rows.find((row) => row.event_id === 'ahead')!
  const readAfter = Date.now()
  const asOf = ahead.last_occurred_at!.getTime()
  t.equal(ahead.total_participants, 2)
  t.ok(asOf >= before, `asOf ${ahead.last_occurred_at!.toISOString()} is not before the commit`)
  t.ok(asOf <= readAfter, 'and not in the future when read')
  const channel = await db.selectFrom('channel_stats').select('last_occurred_at').where('event_id', '=', 'ahead').executeTakeFirstOrThrow()
  t.ok(channel.last_occurred_at!.getTime() <= asOf, "the channel's asOf too")
  t.same(ahead.last_ingest_read_at, new Date(readAt), 'the read time the job carried')
  const committed = ahead.last_committed_at!.getTime()
  t.ok(committed >= asOf && committed <= readAfter, 'the commit time')
  t.ok(committed - readAt >= 250, 'so the pipeline delay is the commit minus the read')

  const older = rows.find((row) => row.event_id === 'older-worker')!
  t.equal(older.total_participants, 1, 'a job without readAt is applied')
  t.equal(older.last_ingest_read_at, null, 'with its delay unknown')
  t.ok(older.last_committed_at !== null, 'but its commit time kept')
})
