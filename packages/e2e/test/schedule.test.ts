/**
 * Compatible evolution of event-created on the real stack: v1 writers (no schedule) and v2
 * writers (startsAt/endsAt) produce side by side on one topic through the real registry and
 * Kafka; the ingest worker resolves both writer schemas into the reader schema and the
 * aggregator stores the schedule of v2 events and NULL for v1 ones. A v2 message whose schedule
 * ends before it starts is dead-lettered as INVALID_FIELD, naming endsAt. The dashboard of a
 * scheduled event carries its pacing; an unscheduled one says why it has none.
 */
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { Kafka, logLevel } from 'kafkajs'
import { eventCreatedV1Schema, type DomainEvent, type EventCreated } from '@event-analytics/contracts'
import { deterministicUuid } from '@event-analytics/simulator'
import { tablesFingerprint } from '../src/index.js'
import { get, produce } from './helpers/api.js'
import { KAFKA_BROKERS, startPipeline, waitUntilIdle, type Pipeline } from './helpers/pipeline.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

function created(pipeline: Pipeline, index: number, schedule: Pick<EventCreated, 'startsAt' | 'endsAt'>): EventCreated {
  return {
    kind: 'EventCreated',
    messageId: deterministicUuid(`${pipeline.run}-created`, index),
    occurredAt: Date.now() - 3 * DAY_MS,
    eventId: `${pipeline.run}-evt-${index}`,
    userId: `${pipeline.run}-owner`,
    title: `Event ${index}`,
    totalInvestment: '1000.00',
    expectedRevenue: '5000.00',
    expectedParticipants: 500,
    targetRoi: '100.00',
    salesGrowthRate: null,
    ...schedule,
  }
}

function participants(event: EventCreated, count: number, from: number): DomainEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    kind: 'ParticipantRegistered',
    messageId: deterministicUuid(`${event.eventId}-p`, index),
    occurredAt: from + Math.floor((index * (Date.now() - from)) / count),
    eventId: event.eventId,
    participantId: `p-${index}`,
    channelName: 'INSTAGRAM',
  }))
}

async function deadLetterHeaders(pipeline: Pipeline): Promise<Record<string, string>> {
  const kafka = new Kafka({ clientId: `${pipeline.run}-dlq-reader`, brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: `${pipeline.run}-dlq-${randomUUID()}`, maxWaitTimeInMs: 500 })
  await consumer.connect()
  await consumer.subscribe({ topics: [`${pipeline.run}.dlq`], fromBeginning: true })
  const first = new Promise<Record<string, string>>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value)
        resolve(headers)
      },
    })
  })
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no dead letter within 60 s')), 60_000).unref())
  try {
    return await Promise.race([first, timeout])
  } finally {
    await consumer.disconnect()
  }
}

t.test('v1 and v2 event-created writers side by side: both applied, the schedule stored for v2 only', async (t) => {
  const pipeline = await startPipeline(t)
  const now = Date.now()
  const scheduled = created(pipeline, 1, { startsAt: now - 2 * DAY_MS, endsAt: now + 12 * DAY_MS })
  const unscheduledV1 = created(pipeline, 2, {})
  const unscheduledV2 = created(pipeline, 3, { startsAt: null, endsAt: null })
  const backwards = created(pipeline, 4, { startsAt: now, endsAt: now - HOUR_MS })

  const v1Id = await pipeline.producer.sendWithWriterSchema(eventCreatedV1Schema(), [unscheduledV1])
  await produce(pipeline, [scheduled, unscheduledV2, backwards])
  const v2Id = await pipeline.producer.schemaId('EventCreated')
  t.not(v1Id, v2Id, 'the topic carries two writer schemas')
  await produce(pipeline, [...participants(scheduled, 120, now - 2 * DAY_MS), ...participants(unscheduledV1, 30, now - DAY_MS)])
  await waitUntilIdle(pipeline, () => tablesFingerprint(pipeline.testDb.db))

  const rows = await pipeline.testDb.db
    .selectFrom('event_stats')
    .select(['event_id', 'starts_at', 'ends_at', 'total_participants'])
    .where('event_id', 'like', `${pipeline.run}-%`)
    .orderBy('event_id')
    .execute()
  t.strictSame(
    rows.map((row) => [row.event_id, row.starts_at?.getTime() ?? null, row.ends_at?.getTime() ?? null, Number(row.total_participants)]),
    [
      [scheduled.eventId, scheduled.startsAt, scheduled.endsAt, 120],
      [unscheduledV1.eventId, null, null, 30],
      [unscheduledV2.eventId, null, null, 0],
    ],
    'v2 keeps its schedule, v1 and an explicit null have none, the backwards schedule is not applied',
  )

  const headers = await deadLetterHeaders(pipeline)
  t.equal(headers['x-error-code'], 'INVALID_FIELD')
  t.match(headers['x-error-message'], /^endsAt must be after startsAt/)

  const token = await pipeline.token(scheduled.userId)
  const paced = (await get(pipeline, `/api/v1/events/${scheduled.eventId}/analytics`, token)).body
  t.match(paced, { pacing: { phase: 'RUNNING', expectedParticipants: 500, participants: 120 }, pacingUnavailable: null })
  const unpaced = (await get(pipeline, `/api/v1/events/${unscheduledV1.eventId}/analytics`, token)).body
  t.match(unpaced, { pacing: null, pacingUnavailable: { reason: 'NO_SCHEDULE' } })
})
