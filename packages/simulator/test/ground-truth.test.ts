import t from 'tap'
import type { DomainEvent } from '@event-analytics/contracts'
import { createGroundTruth, groundTruth } from '../src/index.js'

const H = 3_600_000
const T0 = Date.UTC(2026, 0, 10, 0, 0, 0)
let sequence = 0
const id = (): string => `m-${(sequence += 1)}`
const created = (eventId: string, fields: Partial<Extract<DomainEvent, { kind: 'EventCreated' }>> = {}): DomainEvent => ({
  kind: 'EventCreated',
  messageId: id(),
  occurredAt: T0,
  eventId,
  userId: 'owner-1',
  title: 'Draw',
  totalInvestment: '1000.00',
  expectedRevenue: '5000.00',
  expectedParticipants: 3,
  targetRoi: '200.00',
  salesGrowthRate: null,
  ...fields,
})
const joined = (eventId: string, at: number, channelName: string | null = 'INSTAGRAM'): DomainEvent => ({
  kind: 'ParticipantRegistered',
  messageId: id(),
  occurredAt: at,
  eventId,
  participantId: id(),
  channelName,
})

t.test('figures per SPEC 6, with duplicates counted once', async (t) => {
  const distribution: DomainEvent = {
    kind: 'DistributionCompleted',
    messageId: id(),
    occurredAt: T0 + 1,
    eventId: 'e1',
    channels: [
      { channelName: 'INSTAGRAM', channelType: 'SNS', distributionCost: '333.33' },
      { channelName: 'GENIE_TV', channelType: 'TV', distributionCost: '100.00' },
    ],
  }
  const p1 = joined('e1', T0 + 10)
  const stream = [
    p1,
    joined('e1', T0 + H + 5),
    distribution,
    created('e1'),
    p1,
    distribution,
    joined('e1', T0 + 30, null),
    joined('e1', T0 + 3 * H, 'KAKAO'),
  ]
  const truth = groundTruth(stream)
  t.same(truth.messages, { sent: 8, unique: 6, duplicates: 2 })
  const [event] = truth.events
  // 4 participants of 3 expected: 5000 x 4 / 3 = 6666.666.. -> 6666.67; investment 1000 + 433.33.
  t.match(event, {
    eventId: 'e1',
    visible: true,
    totalParticipants: 4,
    ownInvestment: '1000.00',
    distributionCost: '433.33',
    totalInvestment: '1433.33',
    estimatedRevenue: '6666.67',
    status: 'ACTIVE',
    statusChangedAt: null,
  })
  // (6666.67 - 1433.33) / 1433.33 x 100 = 365.1162... -> 365.12; / 200 x 100 = 182.56
  t.equal(event!.estimatedRoi, '365.12')
  t.equal(event!.roiAchievementRate, '182.56')
  t.same(
    truth.channels.map((c) => [
      c.channelName,
      c.channelType,
      c.participants,
      c.distributionCount,
      c.distributionCost,
      c.costPerParticipant,
    ]),
    [
      ['GENIE_TV', 'TV', 0, 1, '100.00', null],
      ['INSTAGRAM', 'SNS', 2, 1, '333.33', '166.67'],
      ['KAKAO', null, 1, 0, '0.00', '0.00'],
    ],
  )
  t.same(
    truth.timeline.map((h) => [h.hour - T0, h.participants, h.cumulativeParticipants]),
    [
      [0, 2, 2],
      [H, 1, 3],
      [3 * H, 1, 4],
    ],
  )
  t.same(truth.owners, [
    {
      userId: 'owner-1',
      events: 1,
      totalParticipants: 4,
      totalInvestment: '1433.33',
      expectedRevenue: '5000.00',
      estimatedRevenue: '6666.67',
      estimatedRoi: '365.12',
      channelTypes: [
        { channelType: 'SNS', channels: 1, participants: 2, distributionCost: '333.33' },
        { channelType: 'TV', channels: 1, participants: 0, distributionCost: '100.00' },
        { channelType: null, channels: 1, participants: 1, distributionCost: '0.00' },
      ],
    },
  ])
})

t.test('status: last writer by occurredAt, a tie goes to the later lifecycle status', async (t) => {
  const status = (at: number, value: 'ACTIVE' | 'ENDED' | 'ARCHIVED'): DomainEvent => ({
    kind: 'EventStatusChanged',
    messageId: id(),
    occurredAt: at,
    eventId: 'e2',
    status: value,
  })
  const truth = groundTruth([created('e2'), status(T0 + 2 * H, 'ARCHIVED'), status(T0 + H, 'ENDED'), status(T0 + 2 * H, 'ACTIVE')])
  t.equal(truth.events[0]!.status, 'ARCHIVED')
  t.equal(truth.events[0]!.statusChangedAt, T0 + 2 * H)
})

t.test('zero and null denominators; hidden events; losses are negative', async (t) => {
  const truth = groundTruth([
    created('z', { totalInvestment: '0.00', expectedParticipants: 0, targetRoi: '0.00', salesGrowthRate: '-1.50' }),
    created('loss', { totalInvestment: '300.00', expectedRevenue: '100.00', expectedParticipants: null }),
    joined('hidden', T0),
  ])
  const [hidden, loss, zero] = truth.events
  t.match(zero, { estimatedRevenue: '5000.00', estimatedRoi: '0.00', roiAchievementRate: null, salesGrowthRate: '-1.50' })
  // (100 - 300) / 300 x 100 = -66.666.. -> -66.67 (half away from zero); / 200 -> -33.34 (-33.335)
  t.match(loss, { estimatedRevenue: '100.00', estimatedRoi: '-66.67', roiAchievementRate: '-33.34' })
  t.match(hidden, { visible: false, userId: null, totalParticipants: 1, totalInvestment: '0.00' })
  t.same(
    truth.owners.map((o) => [o.userId, o.events]),
    [['owner-1', 2]],
  )
})

t.test('the incremental builder equals the list form at every step', async (t) => {
  const builder = createGroundTruth()
  const stream = [created('e3'), joined('e3', T0), joined('e3', T0 + H)]
  for (const event of stream) builder.add(event)
  t.same(builder.result(), groundTruth(stream))
})
