import t from 'tap'
import type { DomainEvent } from '@event-analytics/contracts'
import { foldBatch, timelineHours, uniqueByMessageId, withIngestReadAt } from '../src/fold/index.js'

const hour = Date.UTC(2024, 4, 1, 10)
const participant = (messageId: string, channelName: string | null, occurredAt = hour + 5): DomainEvent => ({
  kind: 'ParticipantRegistered',
  messageId,
  eventId: 'ev',
  occurredAt,
  participantId: 'p',
  channelName,
})

t.test('participants fold per event, channel and UTC hour', async (t) => {
  const model = foldBatch([participant('1', 'INSTAGRAM'), participant('2', 'INSTAGRAM'), participant('3', null, hour - 1)])
  t.same(
    model.events.map((e) => [e.eventId, e.participants, e.distributionCost]),
    [['ev', 3, '0.00']],
  )
  t.same(
    model.channels.map((c) => [c.channelName, c.participants, c.channelType]),
    [['INSTAGRAM', 2, null]],
  )
  t.same(model.timeline.map((b) => [b.hour.toISOString(), b.participants]).sort(), [
    ['2024-05-01T09:00:00.000Z', 1],
    ['2024-05-01T10:00:00.000Z', 2],
  ])
})

t.test('distributions add cost and count per channel and to the event, exactly', async (t) => {
  const model = foldBatch([
    {
      kind: 'DistributionCompleted',
      messageId: 'd1',
      eventId: 'ev',
      occurredAt: hour,
      channels: [
        { channelName: 'GENIE_TV', channelType: 'TV', distributionCost: '0.10' },
        { channelName: 'KAKAO', channelType: 'SNS', distributionCost: '0.20' },
      ],
    },
    {
      kind: 'DistributionCompleted',
      messageId: 'd2',
      eventId: 'ev',
      occurredAt: hour,
      channels: [{ channelName: 'GENIE_TV', channelType: 'VOICE', distributionCost: '9999999999999.99' }],
    },
  ])
  t.equal(model.events[0]?.distributionCost, '10000000000000.29')
  const tv = model.channels.find((c) => c.channelName === 'GENIE_TV')
  t.same([tv?.distributionCount, tv?.distributionCost, tv?.channelType], [2, '10000000000000.09', 'VOICE'])
  t.same(model.timeline, [])
})

t.test('status: last writer by occurredAt, ties to the later lifecycle status', async (t) => {
  const status = (messageId: string, occurredAt: number, s: 'ACTIVE' | 'ENDED' | 'ARCHIVED'): DomainEvent => ({
    kind: 'EventStatusChanged',
    messageId,
    eventId: 'ev',
    occurredAt,
    status: s,
  })
  t.equal(foldBatch([status('a', 2, 'ACTIVE'), status('b', 1, 'ARCHIVED')]).events[0]?.status?.status, 'ACTIVE')
  t.equal(foldBatch([status('a', 2, 'ENDED'), status('b', 2, 'ACTIVE')]).events[0]?.status?.status, 'ENDED')
  t.equal(foldBatch([status('b', 2, 'ACTIVE'), status('a', 2, 'ENDED')]).events[0]?.status?.status, 'ENDED')
})

t.test('duplicated EventCreated: the latest wins, ties resolved by content in any order', async (t) => {
  const created = (messageId: string, occurredAt: number, title: string): DomainEvent => ({
    kind: 'EventCreated',
    messageId,
    eventId: 'ev',
    occurredAt,
    userId: 'u',
    title,
    totalInvestment: '1.00',
    expectedRevenue: '2.00',
    expectedParticipants: null,
    targetRoi: '0.00',
    salesGrowthRate: null,
  })
  t.equal(foldBatch([created('a', 5, 'new'), created('b', 1, 'old')]).events[0]?.created?.title, 'new')
  t.equal(foldBatch([created('a', 5, 'A'), created('b', 5, 'B')]).events[0]?.created?.title, 'B')
  t.equal(foldBatch([created('b', 5, 'B'), created('a', 5, 'A')]).events[0]?.created?.title, 'B')
})

t.test('the schedule travels with the winning EventCreated; on a tie it breaks by startsAt, then endsAt', async (t) => {
  const created = (messageId: string, startsAt: number | null, endsAt: number | null): DomainEvent => ({
    kind: 'EventCreated',
    messageId,
    eventId: 'ev',
    occurredAt: hour,
    userId: 'u',
    title: 'same',
    totalInvestment: '1.00',
    expectedRevenue: '2.00',
    expectedParticipants: 10,
    targetRoi: '0.00',
    salesGrowthRate: null,
    startsAt,
    endsAt,
  })
  const schedule = (messages: DomainEvent[]) => {
    const winner = foldBatch(messages).events[0]?.created
    return [winner?.startsAt?.getTime() ?? null, winner?.endsAt?.getTime() ?? null]
  }
  t.same(schedule([created('v1', null, null)]), [null, null], 'a v1 message has none')
  t.same(schedule([created('a', hour, hour + 9), created('b', null, null)]), [hour, hour + 9])
  t.same(schedule([created('b', null, null), created('a', hour, hour + 9)]), [hour, hour + 9], 'in any order')
  t.same(schedule([created('a', hour, hour + 9), created('b', hour, hour + 20)]), [hour, hour + 20])
  t.same(schedule([created('b', hour, hour + 20), created('a', hour, hour + 9)]), [hour, hour + 20])
})

t.test('a malformed decimal throws (the message is poison)', async (t) => {
  t.throws(() =>
    foldBatch([
      {
        kind: 'DistributionCompleted',
        messageId: 'x',
        eventId: 'ev',
        occurredAt: hour,
        channels: [{ channelName: 'A', channelType: 'TV', distributionCost: '1.234' }],
      },
    ]),
  )
})

t.test('helpers: duplicates within a batch and timeline hours', async (t) => {
  const p = participant('1', null)
  t.equal(uniqueByMessageId([p, p, participant('2', null)]).length, 2)
  t.same(
    timelineHours([p, participant('2', null, hour + 100)]).map((d) => d.toISOString()),
    ['2024-05-01T10:00:00.000Z'],
  )
})

t.test('each event gets the earliest ingest read time of its messages, when any is known', async (t) => {
  const other: DomainEvent = { ...participant('4', null), eventId: 'unstamped' }
  const messages = [participant('1', null), participant('2', null), participant('3', null), other]
  const readAt = new Map([
    ['1', hour + 900],
    ['2', hour + 300],
  ])
  const model = withIngestReadAt(foldBatch(messages), messages, readAt)
  t.same(
    model.events.map((e) => [e.eventId, e.ingestReadAt?.getTime() ?? null]),
    [
      ['ev', hour + 300],
      ['unstamped', null],
    ],
  )
  t.equal(withIngestReadAt(model, messages, new Map()), model, 'nothing known: the model as is')
})
