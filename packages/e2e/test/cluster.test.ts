/**
 * The whole pipeline with the queue and the cache on a 3-master Redis Cluster of the test's
 * own (REDIS_CLUSTER_NODES; the cache follows the queue): real Kafka, registry and PostgreSQL,
 * ingest worker, aggregator and query API. A seeded scenario with re-sent duplicates and bad
 * messages must be applied exactly once and the bad ones dead-lettered once; a dashboard read
 * through the API is cached on the cluster, and invalidated and announced after new messages.
 */
import t from 'tap'
import { Kafka, logLevel } from 'kafkajs'
import { cacheKeys, decodeChange, type DomainEvent } from '@event-analytics/contracts'
import { readTopicToEnd } from '@event-analytics/ingest-worker'
import { duplicateClient } from '@event-analytics/ops'
import { startRedisCluster } from '@event-analytics/ops/testing'
import { createGroundTruth, deterministicUuid, scenarioEvents } from '@event-analytics/simulator'
import { expectedTables, readTables, tablesFingerprint } from '../src/index.js'
import { assertApi, assertNewParticipantsShown, get, produce } from './helpers/api.js'
import { KAFKA_BROKERS, startPipeline, waitUntilIdle, type Pipeline } from './helpers/pipeline.js'

const HOUR_MS = 3_600_000

/** Messages ingest must refuse: a semantic violation (over-long id) and bytes that are no Avro frame. */
async function produceBad(pipeline: Pipeline, eventId: string): Promise<number> {
  const overLong: DomainEvent[] = Array.from({ length: 4 }, (_, index) => ({
    kind: 'ParticipantRegistered',
    messageId: deterministicUuid(`${pipeline.run}-bad`, index),
    occurredAt: Date.now() - HOUR_MS,
    eventId,
    participantId: 'p'.repeat(65),
    channelName: 'INSTAGRAM',
  }))
  await pipeline.producer.send(overLong)
  const garbage = [{ key: eventId, value: Buffer.from('not an avro frame') }, { value: Buffer.from([0, 0, 0, 0]) }]
  await pipeline.producer.sendRaw(pipeline.topics.ParticipantRegistered, garbage)
  return overLong.length + garbage.length
}

/** Dead letters, read once the pipeline is idle: each is sent with the commit of its source offset, so none can follow. */
async function deadLetters(pipeline: Pipeline): Promise<number> {
  const kafka = new Kafka({ clientId: `${pipeline.run}-dlq-reader`, brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING })
  return [...(await readTopicToEnd(kafka, `${pipeline.run}.dlq`)).values()].flat().length
}

t.test('on a Redis Cluster: applied exactly once, bad messages dead-lettered once, the cache invalidated', async (t) => {
  const cluster = await startRedisCluster({ masters: 3 })
  t.teardown(() => cluster.stop())
  const pipeline = await startPipeline(t, { redisEnv: { REDIS_CLUSTER_NODES: cluster.nodesVariable } })
  t.ok(pipeline.cache.isCluster, 'the API caches on the cluster')
  t.match(pipeline.queue.opts.prefix, /^\{.+\}$/, 'the queue prefix is hash-tagged')

  const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 24 * HOUR_MS
  const stream = [
    ...scenarioEvents({ seed: 20261129, start, idPrefix: pipeline.run, owners: 2, eventsPerOwner: 3, participants: 1500, spanHours: 24 }),
  ]
  const resent = stream.filter((_, index) => index % 13 === 0)
  const truth = createGroundTruth()
  for (const event of [...stream, ...resent]) truth.add(event)
  const expected = truth.result()
  const visible = expected.events.filter((event) => event.visible)
  t.ok(expected.messages.duplicates > 100, `duplicates re-sent (${expected.messages.duplicates} of ${expected.messages.sent})`)

  await produce(pipeline, stream)
  const bad = await produceBad(pipeline, visible[0]!.eventId)
  await produce(pipeline, resent)
  await waitUntilIdle(pipeline, () => tablesFingerprint(pipeline.testDb.db))
  t.equal((await pipeline.queue.getJobCounts('failed'))['failed'], 0, 'no failed job')

  const tables = await readTables(pipeline.testDb.db)
  const wanted = expectedTables(expected)
  t.same(tables.events, wanted.events, 'event_stats equals the ground truth')
  t.same(tables.channels, wanted.channels, 'channel_stats equals the ground truth')
  t.same(tables.timeline, wanted.timeline, 'timeline_data equals the ground truth')
  t.equal(await deadLetters(pipeline), bad, `each of the ${bad} bad messages dead-lettered once`)
  await assertApi(t, pipeline, expected)

  await t.test('a cached dashboard is invalidated and announced after new messages', async (t) => {
    const event = visible.find((e) => e.status === 'ACTIVE') ?? visible[0]!
    const token = await pipeline.token(event.userId!)
    const url = `/api/v1/events/${event.eventId}/analytics`
    t.equal((await get(pipeline, url, token)).cache, 'hit', 'the dashboard is served from the cluster')
    t.equal(await pipeline.cache.exists(cacheKeys.dashboard(event.eventId)), 1, 'its key is on the cluster')
    const subscriber = duplicateClient(pipeline.cache)
    t.teardown(() => subscriber.disconnect())
    const announced = new Set<string>()
    subscriber.on('message', (_channel: string, text: string) => decodeChange(text)?.eventIds.forEach((id) => announced.add(id)))
    await subscriber.subscribe(pipeline.changesChannel)

    const now = Date.now()
    const more: DomainEvent[] = Array.from({ length: 5 }, (_, index) => ({
      kind: 'ParticipantRegistered',
      messageId: deterministicUuid(`${pipeline.run}-fresh`, index),
      occurredAt: now - index * 1000,
      eventId: event.eventId,
      participantId: `${pipeline.run}-fresh-${index}`,
      channelName: 'INSTAGRAM',
    }))
    await assertNewParticipantsShown(t, pipeline, truth, event, more, url, token)
    t.ok(announced.has(event.eventId), 'the change was announced on the pub/sub channel through the cluster')
  })

  await pipeline.close()
})
