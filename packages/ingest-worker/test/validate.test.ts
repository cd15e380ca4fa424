import t from 'tap'
import { validateRecord } from '../src/validate/domain-event.js'
import { parseConfluentFrame, frameConfluent } from '../src/decode/framing.js'

const now = Date.UTC(2026, 10, 24, 12)
const envelope = { messageId: '4f0e4c1e-7d0c-4a43-9a4c-1b7a0b2f7e11', occurredAt: now - 1000, eventId: 'evt-1' }
const created = {
  ...envelope,
  userId: 'owner-1',
  title: 'Giveaway',
  totalInvestment: '1000.00',
  expectedRevenue: '5000.00',
  expectedParticipants: 100,
  targetRoi: '150.00',
  salesGrowthRate: null,
  startsAt: null,
  endsAt: null,
}
const distribution = { ...envelope, channels: [{ channelName: 'INSTAGRAM', channelType: 'SNS', distributionCost: '10.50' }] }
const participant = { ...envelope, participantId: 'p-1', channelName: 'INSTAGRAM' }

function rejection(outcome: ReturnType<typeof validateRecord>): string {
  if (!('rejected' in outcome)) throw new Error('expected a rejection')
  t.equal(outcome.rejected.code, 'INVALID_FIELD')
  return outcome.rejected.message
}

t.test('valid records become typed domain events carrying exactly their values', async (t) => {
  t.strictSame(validateRecord('EventCreated', created, now), { accepted: { kind: 'EventCreated', ...created } })
  t.strictSame(validateRecord('DistributionCompleted', distribution, now), { accepted: { kind: 'DistributionCompleted', ...distribution } })
  t.strictSame(validateRecord('ParticipantRegistered', { ...participant, channelName: null }, now), {
    accepted: { kind: 'ParticipantRegistered', ...participant, channelName: null },
  })
  t.strictSame(validateRecord('EventStatusChanged', { ...envelope, status: 'ENDED' }, now), {
    accepted: { kind: 'EventStatusChanged', ...envelope, status: 'ENDED' },
  })
})

t.test('every semantic rule names its field', async (t) => {
  const cases: [string, Parameters<typeof validateRecord>[0], Record<string, unknown>, RegExp][] = [
    ['empty eventId', 'EventCreated', { ...created, eventId: '' }, /^eventId must be 1\.\.36 characters/],
    ['long eventId', 'ParticipantRegistered', { ...participant, eventId: 'e'.repeat(37) }, /^eventId must be 1\.\.36/],
    ['long userId', 'EventCreated', { ...created, userId: 'u'.repeat(37) }, /^userId must be 1\.\.36/],
    ['empty title', 'EventCreated', { ...created, title: '' }, /^title must be 1\.\.255/],
    ['long title', 'EventCreated', { ...created, title: 't'.repeat(256) }, /^title must be 1\.\.255/],
    ['negative investment', 'EventCreated', { ...created, totalInvestment: '-0.01' }, /^totalInvestment must be >= 0/],
    ['negative revenue', 'EventCreated', { ...created, expectedRevenue: '-5.00' }, /^expectedRevenue must be >= 0/],
    [
      'revenue beyond precision',
      'EventCreated',
      { ...created, expectedRevenue: '12345678901234.00' },
      /^expectedRevenue exceeds decimal\(15,2\)/,
    ],
    ['negative participants', 'EventCreated', { ...created, expectedParticipants: -1 }, /^expectedParticipants must be >= 0/],
    ['roi beyond precision', 'EventCreated', { ...created, targetRoi: '123456789.00' }, /^targetRoi exceeds decimal\(10,2\)/],
    ['schedule ending before it starts', 'EventCreated', { ...created, startsAt: now, endsAt: now - 1 }, /^endsAt must be after startsAt/],
    [
      'schedule of no length',
      'EventCreated',
      { ...created, startsAt: now, endsAt: now },
      /^endsAt must be after startsAt, got startsAt 2026/,
    ],
    ['schedule before 2000', 'EventCreated', { ...created, startsAt: -1 }, /^startsAt is before 2000-01-01/],
    ['schedule past year 9999', 'EventCreated', { ...created, endsAt: 8.64e15 }, /^endsAt is after 9999-12-31/],
    ['no channels', 'DistributionCompleted', { ...distribution, channels: [] }, /^channels must have 1\.\.50 entries, got 0/],
    ['51 channels', 'DistributionCompleted', { ...distribution, channels: Array(51).fill(distribution.channels[0]) }, /got 51/],
    [
      'long channel name',
      'DistributionCompleted',
      { ...distribution, channels: [{ ...distribution.channels[0], channelName: 'c'.repeat(51) }] },
      /^channels\[0\]\.channelName must be 1\.\.50/,
    ],
    [
      'negative cost',
      'DistributionCompleted',
      { ...distribution, channels: [distribution.channels[0], { ...distribution.channels[0], distributionCost: '-1.00' }] },
      /^channels\[1\]\.distributionCost must be >= 0/,
    ],
    ['empty participant', 'ParticipantRegistered', { ...participant, participantId: '' }, /^participantId must be 1\.\.64/],
    ['long participant', 'ParticipantRegistered', { ...participant, participantId: 'p'.repeat(65) }, /^participantId must be 1\.\.64/],
    ['empty channel', 'ParticipantRegistered', { ...participant, channelName: '' }, /^channelName must be 1\.\.50/],
    ['NUL in text', 'ParticipantRegistered', { ...participant, participantId: 'a\u0000b' }, /^participantId must not contain a NUL/],
    [
      'far future',
      'EventStatusChanged',
      { ...envelope, status: 'ACTIVE', occurredAt: now + 24 * 3600_000 + 1 },
      /^occurredAt is more than 24 h in the future/,
    ],
    [
      'before 2000',
      'EventStatusChanged',
      { ...envelope, status: 'ACTIVE', occurredAt: Date.UTC(1999, 11, 31, 23, 59) },
      /^occurredAt is before 2000-01-01/,
    ],
    ['long messageId', 'EventStatusChanged', { ...envelope, status: 'ACTIVE', messageId: 'm'.repeat(65) }, /^messageId must be 1\.\.64/],
  ]
  for (const [name, kind, record, expected] of cases) {
    t.match(rejection(validateRecord(kind, record, now)), expected, name)
  }
})

t.test('a v2 schedule is kept; either end alone is an open schedule', async (t) => {
  const schedule = { startsAt: now - 3_600_000, endsAt: now + 14 * 86_400_000 }
  t.strictSame(validateRecord('EventCreated', { ...created, ...schedule }, now), {
    accepted: { kind: 'EventCreated', ...created, ...schedule },
  })
  t.strictSame(validateRecord('EventCreated', { ...created, startsAt: now }, now), {
    accepted: { kind: 'EventCreated', ...created, startsAt: now, endsAt: null },
  })
  const { startsAt: _s, endsAt: _e, ...v1 } = created
  t.strictSame(validateRecord('EventCreated', v1, now), { accepted: { kind: 'EventCreated', ...created } })
})

t.test('limits are inclusive', async (t) => {
  t.ok('accepted' in validateRecord('EventStatusChanged', { ...envelope, status: 'ACTIVE', occurredAt: now + 24 * 3600_000 }, now))
  t.ok('accepted' in validateRecord('EventStatusChanged', { ...envelope, status: 'ACTIVE', occurredAt: Date.UTC(2000, 0, 1) }, now))
  t.ok(
    'accepted' in validateRecord('EventCreated', { ...created, eventId: 'e'.repeat(36), title: '가'.repeat(255) }, now),
    'characters, not bytes or UTF-16 units',
  )
  t.ok(
    'accepted' in validateRecord('EventCreated', { ...created, eventId: '😀'.repeat(36), title: '😀' }, now),
    'characters outside the BMP count once (36 of them are 72 UTF-16 units)',
  )
  t.strictSame(validateRecord('EventCreated', { ...created, eventId: `${'😀'.repeat(36)}e` }, now), {
    rejected: { code: 'INVALID_FIELD', message: 'eventId must be 1..36 characters, got 37' },
  })
  t.ok('accepted' in validateRecord('DistributionCompleted', { ...distribution, channels: Array(50).fill(distribution.channels[0]) }, now))
  t.ok('accepted' in validateRecord('EventCreated', { ...created, targetRoi: '-50.00', expectedRevenue: '9999999999999.99' }, now))
})

t.test('Confluent framing', async (t) => {
  const framed = frameConfluent(42, Buffer.from([1, 2, 3]))
  t.same(parseConfluentFrame(framed), { schemaId: 42, payload: Buffer.from([1, 2, 3]) })
  t.throws(() => parseConfluentFrame(Buffer.from([1, 0, 0, 0, 42])), /magic byte is 1, expected 0/)
  t.throws(() => parseConfluentFrame(Buffer.from([0, 0, 0])), /shorter than the 5-byte Confluent header/)
  t.throws(() => parseConfluentFrame(null), /no value/)
})
