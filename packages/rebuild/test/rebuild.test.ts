/**
 * A rebuild through the real ingest -> BullMQ -> aggregator path into a second projection set, on the
 * real Kafka, registry, PostgreSQL and Redis, while the live pipeline keeps serving: the rebuilt set
 * has the figures the log says (a bug's wrong numbers in the live set are not in it), the comparison
 * names exactly the events the bug touched, the switch moves the API in one step and loses no update
 * produced around it, an open stream receives the rebuilt figures, and the rollback is the same
 * switch back.
 */
import t from 'tap'
import { sql } from 'kysely'
import type { DomainEvent } from '@event-analytics/contracts'
import { closeDb, compareProjectionSets, createDb, listProjectionSets, refreshEventFigures } from '@event-analytics/db'
import { expectedTables, readTables } from '@event-analytics/e2e'
import {
  auditPassed,
  auditTopics,
  createSchemaRegistry,
  formatAudit,
  loadIngestConfig,
  readTopicToEnd,
  topicKinds,
} from '@event-analytics/ingest-worker'
import { createLogger, createRedisClient } from '@event-analytics/ops'
import { openSse } from '@event-analytics/ops/testing'
import { createGroundTruth, deterministicUuid, scenarioEvents } from '@event-analytics/simulator'
import { formatComparison } from '../src/report.js'
import { startRebuild } from '../src/run.js'
import { rollbackTarget, switchAndInvalidate, switchRefusal, type SwitchDeps } from '../src/switch.js'
import { foldsDone, startLive } from './helpers/live.js'

const HOUR_MS = 3_600_000
const SET = 'rb_fix'

const live = await startLive(t)
const { db } = live.testDb
const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 24 * HOUR_MS
const stream = [...scenarioEvents({ seed: 7, start, idPrefix: live.run, owners: 2, eventsPerOwner: 2, participants: 800, spanHours: 24 })]
const truth = createGroundTruth()
for (const event of stream) truth.add(event)
await live.produce(stream)
// One message no decoder can read: the live pipeline dead-letters it, and so will the rebuild.
const garbage = live.kafka.producer()
await garbage.connect()
await garbage.send({ topic: live.topics[0] as string, messages: [{ key: 'bad', value: Buffer.from('not avro') }] })
await garbage.disconnect()
await live.caughtUp()

// A bug wrote wrong numbers for two events: what migration 0006 had to patch by hand.
const { rows: broken } = await sql<{ event_id: string; user_id: string; total_participants: number }>`
  SELECT event_id, user_id, total_participants FROM event_stats WHERE event_created_at IS NOT NULL ORDER BY event_id LIMIT 2`.execute(db)
const brokenIds = broken.map((row) => row.event_id)
await sql`UPDATE event_stats SET total_participants = total_participants + 5 WHERE event_id = ANY(${brokenIds}::varchar[])`.execute(db)
await refreshEventFigures(db, brokenIds)

const rebuild = await startRebuild({ set: SET, env: live.env, opsPort: 0, logger: createLogger('rebuild', 'silent') })
t.teardown(() => rebuild.close())
const setDb = createDb(live.testDb.url, { poolSize: 2, projectionSet: SET })
t.teardown(() => closeDb(setDb))

t.test('the rebuild reads every retained message through its own group into its own set', async (t) => {
  t.equal(rebuild.created, true)
  t.equal(rebuild.names.groupId, `${live.env['KAFKA_GROUP_ID']}.${SET}`)
  t.equal(rebuild.initial.truncated.length, 0, 'nothing past retention yet')
  const sample = await rebuild.caughtUp
  t.equal(sample.progress.lag, 0)
  t.equal(sample.progress.done, sample.progress.total, 'every retained message done')
  t.equal((await listProjectionSets(db)).find((set) => set.name === SET)?.state, 'ready')
  const metrics = await (await fetch(`http://127.0.0.1:${rebuild.opsPort}/metrics`)).text()
  t.match(metrics, /rebuild_caught_up\{set="rb_fix"\} 1/, 'progress on /metrics')
  t.match(metrics, /rebuild_lag_messages\{set="rb_fix",topic="[^"]+",partition="0"\} 0/)
  t.match(metrics, /aggregator_projection_set_live\{set="rb_fix"\} 0/, "the rebuild's aggregator knows it is not live")
})

t.test("the rebuild's dead letters are marked and kept apart from the live dead-letter topic", async (t) => {
  await rebuild.caughtUp
  const liveLetters = [...(await readTopicToEnd(live.kafka, live.env['TOPIC_DEAD_LETTER'] as string, 1000)).values()].flat()
  const rebuildLetters = [...(await readTopicToEnd(live.kafka, `${live.env['TOPIC_DEAD_LETTER']}.rebuild`, 1000)).values()].flat()
  t.equal(liveLetters.length, 1, 'the live consumers see the bad message once, from the live pipeline')
  t.equal(liveLetters[0]?.headers?.['x-projection-set'], undefined)
  t.equal(rebuildLetters.length, 1, "the rebuild's letter went to its own topic")
  t.equal(rebuildLetters[0]?.headers?.['x-projection-set']?.toString(), SET, 'marked with its set')
  t.equal(rebuildLetters[0]?.value?.toString(), 'not avro', 'with the original bytes')
  const config = loadIngestConfig(live.env)
  const audits = await auditTopics({
    kafka: live.kafka,
    registry: createSchemaRegistry(config.SCHEMA_REGISTRY_URL),
    db: setDb,
    groupId: rebuild.names.groupId,
    topics: topicKinds(config),
    deadLetterTopic: rebuild.names.deadLetterTopic,
  })
  if (!auditPassed(audits)) t.comment(formatAudit(audits))
  t.ok(auditPassed(audits), 'the topic audit of the set: every message applied to it or dead-lettered once')
})

t.test('the rebuilt set has the log\u2019s figures; the comparison names exactly the events the bug touched', async (t) => {
  await foldsDone(live, SET)
  const wanted = expectedTables(truth.result())
  const rebuilt = await readTables(setDb)
  t.same(rebuilt.events, wanted.events, 'event_stats of the rebuilt set equals the ground truth')
  t.same(rebuilt.channels, wanted.channels)
  t.same(rebuilt.timeline, wanted.timeline)
  const report = await compareProjectionSets(db, 'public', SET)
  t.same(
    report.differences.map((difference) => difference.eventId),
    brokenIds,
  )
  for (const difference of report.differences) {
    const participants = difference.fields.find((field) => field.field === 'participants')
    t.equal(Number(participants?.before) - Number(participants?.after), 5, `${difference.eventId}: 5 participants too many live`)
    t.ok(
      difference.fields.every((field) => ['participants', 'estimatedRevenue', 'roi'].includes(field.field)),
      'only the figures the bug changed',
    )
  }
  const text = formatComparison(report)
  for (const id of brokenIds) t.match(text, `event ${id}`)
  t.match(text, /2 differ \(2 changed, 0 only live, 0 only rebuilt\)/)
})

t.test('the switch moves the API to the rebuilt set without losing an update produced around it', async (t) => {
  const deps: SwitchDeps = {
    db,
    cache: live.cache,
    changesChannel: live.env['CACHE_CHANGES_CHANNEL'] as string,
    admin: live.admin,
    live: {
      groupId: live.env['KAFKA_GROUP_ID'] as string,
      queuePrefix: live.env['BULLMQ_PREFIX'] as string,
      deadLetterTopic: live.env['TOPIC_DEAD_LETTER'] as string,
      transactionalId: live.env['KAFKA_TRANSACTIONAL_ID'] as string,
    },
    topics: live.topics,
    // The updates produced just before the switch may still be on their way into either set:
    // the switch is allowed with them in flight, which is the case this test is about.
    caughtUpLag: 200,
  }
  const [eventId] = brokenIds as [string]
  const owner = broken[0]!.user_id
  const token = await live.token(owner)
  const dashboard = async (): Promise<number> => {
    const response = await live.app.inject({ url: `/api/v1/events/${eventId}/analytics`, headers: { authorization: `Bearer ${token}` } })
    return (response.json() as { summary: { totalParticipants: number } }).summary.totalParticipants
  }
  const correct = truth.result().events.find((event) => event.eventId === eventId)!.totalParticipants
  t.equal(await dashboard(), correct + 5, 'before: the live set with the bug (now cached)')
  const base = await live.app.listen({ port: 0, host: '127.0.0.1' })
  const stream = await openSse(`${base}/api/v1/events/${eventId}/analytics/stream`, { authorization: `Bearer ${token}` })
  t.teardown(() => stream.close())
  const streamed = async (): Promise<number> =>
    (JSON.parse((await stream.next('dashboard', 30_000)).data) as { summary: { totalParticipants: number } }).summary.totalParticipants
  t.equal(await streamed(), correct + 5, 'an open stream shows the live set first')
  const subscriber = createRedisClient({ url: live.env['REDIS_URL'] as string }, {})
  const announced: string[] = []
  await subscriber.subscribe(deps.changesChannel)
  subscriber.on('message', (_channel: string, message: string) => announced.push(message))
  t.teardown(() => subscriber.disconnect())

  const more = registrations(live.run, brokenIds, 200)
  for (const event of more) truth.add(event)
  await live.produce(more.slice(0, 100))
  t.equal(await switchRefusal(deps, SET), undefined, 'running and within the allowed lag: the switch is allowed')
  const result = await switchAndInvalidate(deps, SET)
  t.same([result.from, result.to], ['public', SET])
  await live.produce(more.slice(100))
  await live.caughtUp()
  await live.caughtUp(rebuild.names.groupId)
  await foldsDone(live, SET)

  const wanted = expectedTables(truth.result())
  t.same((await readTables(setDb)).events, wanted.events, 'the rebuilt set has every update, before, during and after the switch')
  t.same((await readTables(setDb)).timeline, wanted.timeline)
  const after = truth.result().events.find((event) => event.eventId === eventId)!.totalParticipants
  t.equal(await dashboard(), after, 'after: the API reads the rebuilt set, its cache was dropped')
  t.ok(
    announced.some((message) => message.includes(eventId)),
    'the switch announced the event, so open streams reload it',
  )
  // Frames follow every change announced meanwhile; a stream silent for 30 s or ended stops the wait.
  let shown = correct + 5
  while (shown !== after) {
    const next = await streamed().catch(() => undefined)
    if (next === undefined) break
    shown = next
  }
  t.equal(shown, after, 'the open stream received the rebuilt figures')

  t.equal(await rollbackTarget(db), 'public')
  const back = await switchAndInvalidate(deps, 'public')
  t.same([back.from, back.to], [SET, 'public'], 'roll back: the same switch the other way')
  t.equal(await dashboard(), after + 5, 'the old set was kept, with every update and the bug')
  await rebuild.close()
  t.match(await switchRefusal(deps, SET), /no pipeline writes "rb_fix"/, 'a set nobody writes is refused')
})

/** ParticipantRegistered messages for `eventIds`, stamped now. */
function registrations(run: string, eventIds: readonly string[], count: number): DomainEvent[] {
  const now = Date.now()
  return Array.from({ length: count }, (_, index) => ({
    kind: 'ParticipantRegistered',
    messageId: deterministicUuid(`${run}-more`, index),
    occurredAt: now - index * 1000,
    eventId: eventIds[index % eventIds.length] as string,
    participantId: `${run}-more-${index}`,
    channelName: null,
  }))
}
