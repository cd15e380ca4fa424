/**
 * The whole pipeline on the real stack: a seeded scenario (duplicates re-sent, late
 * participants, participants before their EventCreated, stale status changes) produced
 * through the Schema Registry and Kafka, consumed by the ingest worker, folded by the
 * aggregator, read back through the query API. Every figure must equal the ground truth.
 */
import t from 'tap'
import { cacheKeys, keysToInvalidate, type DomainEvent } from '@event-analytics/contracts'
import { createGroundTruth, deterministicUuid, scenarioEvents, type EventTruth } from '@event-analytics/simulator'
import { expectedTables } from '../src/index.js'
import { assertApi, assertNewParticipantsShown, get, produce } from './helpers/api.js'
import { startPipeline, waitUntilIdle } from './helpers/pipeline.js'
import { readTables, tablesFingerprint } from '../src/index.js'

const HOUR_MS = 3_600_000
const SEED = 20260301

t.test('a seeded scenario through the whole pipeline equals its ground truth', async (t) => {
  const pipeline = await startPipeline(t)
  const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 48 * HOUR_MS
  const stream = [
    ...scenarioEvents({ seed: SEED, start, idPrefix: pipeline.run, owners: 3, eventsPerOwner: 3, participants: 3000, spanHours: 48 }),
  ]
  // Redelivery on top of the scenario's own duplicates: a slice of everything, sent again at the end.
  const resent = stream.filter((_, index) => index % 17 === 0)
  const truth = createGroundTruth()
  for (const event of [...stream, ...resent]) truth.add(event)
  const expected = truth.result()
  // The API's cache has no per-run prefix (the aggregator invalidates real keys): ours go at the end.
  const cacheKeysUsed = [
    ...expected.events.flatMap((e) =>
      keysToInvalidate({
        eventId: e.eventId,
        userId: e.userId,
        channelNames: expected.channels.filter((c) => c.eventId === e.eventId).map((c) => c.channelName),
      }),
    ),
    ...expected.owners.map((o) => cacheKeys.user(o.userId)),
  ]
  t.ok(expected.messages.duplicates > 200, `duplicates re-sent (${expected.messages.duplicates} of ${expected.messages.sent})`)

  await produce(pipeline, stream)
  await produce(pipeline, resent)
  await waitUntilIdle(pipeline, () => tablesFingerprint(pipeline.testDb.db))
  t.equal((await pipeline.queue.getJobCounts('failed'))['failed'], 0, 'no failed job')

  const tables = await readTables(pipeline.testDb.db)
  const wanted = expectedTables(expected)
  t.same(tables.events, wanted.events, 'event_stats equals the ground truth')
  t.same(tables.channels, wanted.channels, 'channel_stats equals the ground truth')
  t.same(tables.timeline, wanted.timeline, 'timeline_data equals the ground truth')
  await assertApi(t, pipeline, expected)

  await t.test('a cached dashboard shows new participants within a bounded wait', async (t) => {
    const event: EventTruth = expected.events.find((e) => e.visible && e.status === 'ACTIVE') ?? expected.events[0]!
    const token = await pipeline.token(event.userId!)
    const url = `/api/v1/events/${event.eventId}/analytics`
    t.equal((await get(pipeline, url, token)).cache, 'hit', 'the dashboard is served from the cache')
    const now = Date.now()
    const more: DomainEvent[] = Array.from({ length: 7 }, (_, index) => ({
      kind: 'ParticipantRegistered',
      messageId: deterministicUuid(`${pipeline.run}-fresh`, index),
      occurredAt: now - index * 1000,
      eventId: event.eventId,
      participantId: `${pipeline.run}-fresh-${index}`,
      channelName: index % 2 === 0 ? null : 'INSTAGRAM',
    }))
    await assertNewParticipantsShown(t, pipeline, truth, event, more, url, token)
  })

  await pipeline.cache.del(...cacheKeysUsed)
  await pipeline.close()
})
