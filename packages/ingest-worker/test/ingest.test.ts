/**
 * The ingest worker against the real broker, registry and Redis: valid messages become
 * jobs with exactly their values; every kind of bad input becomes exactly one dead letter
 * with its reason and original bytes, and later messages still flow.
 */
import t from 'tap'
import { metricSum } from '@event-analytics/ops/testing'
import { randomUUID } from 'node:crypto'
import { isParticipantTuple, readerSchema, type AvroSchema, type DomainEvent } from '@event-analytics/contracts'
import { createIngestWorker, frameConfluent } from '../src/index.js'
import { createHarness, waitFor } from './helpers/harness.js'

const harness = await createHarness()
const worker = createIngestWorker(harness.config)
t.teardown(async () => {
  await worker.close()
  await harness.close()
})

const now = Date.now()
const envelope = (eventId = 'evt-ingest') => ({ messageId: randomUUID(), occurredAt: now - 60_000, eventId })
const created = {
  ...envelope(),
  userId: 'owner-1',
  title: '커피 1+1 이벤트',
  totalInvestment: '1500000.00',
  expectedRevenue: '4200000.55',
  expectedParticipants: 300,
  targetRoi: '150.25',
  salesGrowthRate: '-3.50',
  startsAt: now - 3_600_000,
  endsAt: now + 14 * 86_400_000,
}
const statusChanged = { ...envelope(), status: 'ENDED' }
const distribution = {
  ...envelope(),
  channels: [
    { channelName: 'GENIE_TV', channelType: 'TV', distributionCost: '99999999.99' },
    { channelName: 'RINGO_BIZ', channelType: 'VOICE', distributionCost: '0.01' },
  ],
}
const participant = { ...envelope(), participantId: 'p-1', channelName: 'INSTAGRAM' }

function mutate(schema: AvroSchema, edit: (fields: Record<string, unknown>[]) => Record<string, unknown>[]): AvroSchema {
  const copy = structuredClone(schema) as unknown as { fields: Record<string, unknown>[] }
  copy.fields = edit(copy.fields)
  return copy as unknown as AvroSchema
}

t.test('valid, invalid and evolved messages', async (t) => {
  const ids = {
    created: await harness.register('EventCreated'),
    status: await harness.register('EventStatusChanged'),
    distribution: await harness.register('DistributionCompleted'),
    participant: await harness.register('ParticipantRegistered'),
  }
  const subject = (name: string) => `${harness.topics.ParticipantRegistered}-${name}-value`
  const withExtraField = await harness.register(
    'ParticipantRegistered',
    mutate(readerSchema('ParticipantRegistered'), (f) => [...f, { name: 'referrer', type: 'string', default: '' }]),
    subject('extra'),
  )
  const withoutOptional = await harness.register(
    'ParticipantRegistered',
    mutate(readerSchema('ParticipantRegistered'), (f) => f.filter((field) => field['name'] !== 'channelName')),
    subject('lacking'),
  )
  const incompatible = await harness.register(
    'EventStatusChanged',
    mutate(readerSchema('EventStatusChanged'), (f) =>
      f.map((field) => (field['name'] === 'status' ? { name: 'status', type: 'int' } : field)),
    ),
    `${harness.topics.EventStatusChanged}-broken-value`,
  )

  await harness.startAggregator()
  await worker.start()
  const producer = await harness.producer()
  const encode = (id: number, value: object) => harness.registry.encode(id, value)
  const send = async (topic: string, key: string, value: Buffer) => producer.send({ topic, messages: [{ key, value }] })

  const valid = await encode(ids.participant, participant)
  const bad: { topic: string; value: Buffer; code: string; reason: RegExp }[] = [
    {
      topic: harness.topics.ParticipantRegistered,
      value: Buffer.concat([Buffer.from([1]), valid.subarray(1)]),
      code: 'DECODE_FAILED',
      reason: /magic byte is 1/,
    },
    {
      topic: harness.topics.ParticipantRegistered,
      value: frameConfluent(987654, valid.subarray(5)),
      code: 'UNKNOWN_SCHEMA',
      reason: /schema id 987654/,
    },
    {
      topic: harness.topics.ParticipantRegistered,
      value: valid.subarray(0, valid.length - 8),
      code: 'DECODE_FAILED',
      reason: /does not decode/,
    },
    {
      topic: harness.topics.EventStatusChanged,
      value: await encode(incompatible, { ...envelope(), status: 7 }),
      code: 'INCOMPATIBLE_SCHEMA',
      reason: /cannot be read as eventmarketing\.v1\.EventStatusChanged/,
    },
    {
      topic: harness.topics.EventCreated,
      value: await encode(ids.created, { ...created, messageId: randomUUID(), totalInvestment: '-1.00' }),
      code: 'INVALID_FIELD',
      reason: /^totalInvestment must be >= 0/,
    },
    {
      topic: harness.topics.EventCreated,
      value: await encode(ids.created, { ...created, messageId: randomUUID(), title: '' }),
      code: 'INVALID_FIELD',
      reason: /^title must be 1\.\.255/,
    },
    {
      topic: harness.topics.DistributionCompleted,
      value: await encode(ids.distribution, { ...distribution, messageId: randomUUID(), channels: [] }),
      code: 'INVALID_FIELD',
      reason: /^channels must have 1\.\.50/,
    },
    {
      topic: harness.topics.ParticipantRegistered,
      value: await encode(ids.participant, { ...participant, messageId: randomUUID(), eventId: 'x'.repeat(37) }),
      code: 'INVALID_FIELD',
      reason: /^eventId must be 1\.\.36/,
    },
    {
      topic: harness.topics.EventStatusChanged,
      value: await encode(ids.status, { ...statusChanged, messageId: randomUUID(), occurredAt: now + 2 * 86_400_000 }),
      code: 'INVALID_FIELD',
      reason: /^occurredAt is more than 24 h/,
    },
  ]
  for (const letter of bad) await send(letter.topic, 'evt-ingest', letter.value)

  // Sent after the bad ones on the same partitions: they must still flow.
  const extra = { ...participant, messageId: randomUUID(), referrer: 'friend' }
  const lacking = { messageId: randomUUID(), occurredAt: now, eventId: 'evt-ingest', participantId: 'p-2' }
  await send(harness.topics.EventCreated, 'evt-ingest', await encode(ids.created, created))
  await send(harness.topics.EventStatusChanged, 'evt-ingest', await encode(ids.status, statusChanged))
  await send(harness.topics.DistributionCompleted, 'evt-ingest', await encode(ids.distribution, distribution))
  await send(harness.topics.ParticipantRegistered, 'evt-ingest', valid)
  await send(harness.topics.ParticipantRegistered, 'evt-ingest', await encode(withExtraField, extra))
  await send(harness.topics.ParticipantRegistered, 'evt-ingest', await encode(withoutOptional, lacking))

  const jobs = await waitFor('six accepted events', async () => {
    const all = await harness.jobs()
    return all.flatMap((job) => job.events).length >= 6 ? all : undefined
  })
  const events = jobs.flatMap((job) => job.events)
  t.ok(
    jobs.every((job) => typeof job.readAt === 'number' && job.readAt >= now && job.readAt <= Date.now()),
    'each job carries when its batch was read from Kafka',
  )
  const byId = new Map<string, DomainEvent>(events.map((event) => [event.messageId, event]))
  t.equal(events.length, 6, 'exactly the valid messages became events')
  t.strictSame(byId.get(created.messageId), { kind: 'EventCreated', ...created })
  t.strictSame(byId.get(statusChanged.messageId), { kind: 'EventStatusChanged', ...statusChanged })
  t.strictSame(byId.get(distribution.messageId), { kind: 'DistributionCompleted', ...distribution })
  t.strictSame(byId.get(participant.messageId), { kind: 'ParticipantRegistered', ...participant })
  const { referrer: _ignored, ...extraAsRead } = extra
  t.strictSame(byId.get(extra.messageId), { kind: 'ParticipantRegistered', ...extraAsRead }, 'an extra writer field is dropped')
  t.strictSame(
    byId.get(lacking.messageId),
    { kind: 'ParticipantRegistered', ...lacking, channelName: null },
    'a missing optional field takes its default',
  )
  const raw = (await harness.queue().getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized'], 0, -1)).flatMap(
    (job) => job.data.events,
  )
  t.same(
    raw.find((event) => isParticipantTuple(event) && event[0] === participant.messageId),
    [participant.messageId, participant.occurredAt, participant.eventId, participant.participantId, participant.channelName],
    'a ParticipantRegistered travels as its tuple',
  )
  t.same(
    raw.find((event) => !isParticipantTuple(event) && event.messageId === created.messageId),
    { kind: 'EventCreated', ...created },
    'other kinds as objects',
  )

  const letters = await harness.deadLetters()
  t.equal(letters.length, bad.length, 'exactly one dead letter per bad message')
  for (const expected of bad) {
    const letter = letters.find((message) => message.value?.equals(expected.value))
    t.ok(letter, `dead letter with the original bytes for ${expected.code} ${expected.reason}`)
    if (!letter) continue
    const header = (name: string) => letter.headers?.[name]?.toString()
    t.equal(header('x-error-code'), expected.code)
    t.match(header('x-error-message'), expected.reason)
    t.equal(header('x-source-topic'), expected.topic)
    t.match(header('x-source-partition'), /^\d+$/)
    t.match(header('x-source-offset'), /^\d+$/)
    t.ok(Number.isFinite(Date.parse(header('x-failed-at') ?? '')), 'x-failed-at is a timestamp')
    t.equal(letter.key?.toString(), 'evt-ingest', 'original key kept')
  }

  const metrics = await (await fetch(`http://127.0.0.1:${worker.opsPort()}/metrics`)).text()
  t.equal(metricSum(metrics, 'ingest_dead_letters_total', { code: 'INVALID_FIELD' }), 5, 'dead letters counted by code')
  const ready = await fetch(`http://127.0.0.1:${worker.opsPort()}/ready`)
  t.equal(ready.status, 200)
  const ok = { ok: true }
  t.same(
    await ready.json(),
    { ready: true, checks: { started: ok, kafka: ok, registry: ok, queue: ok, postgres: ok, consumer: ok, pipeline: ok } },
    'checks named by role, as in every service',
  )
})
