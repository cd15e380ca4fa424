import t from 'tap'
import { avroType, eventCreatedV1Schema, readerSchema } from '../src/avro.js'
import type { AvroSchema } from '../src/avro.js'

const created = {
  messageId: '8c1c7a52-2b4e-4a4f-9a53-0d4e1f1d0c11',
  occurredAt: Date.UTC(2026, 10, 1, 9, 30),
  eventId: 'evt-1',
  userId: 'owner-1',
  title: 'Coffee 1+1',
  totalInvestment: '1500000.00',
  expectedRevenue: '-0.01',
  expectedParticipants: 300,
  targetRoi: '150.25',
  salesGrowthRate: null,
  startsAt: Date.UTC(2026, 10, 1, 10),
  endsAt: Date.UTC(2026, 10, 15, 10),
}

function withFields(schema: AvroSchema, edit: (fields: { name: string }[]) => { name: string }[]): AvroSchema {
  const record = structuredClone(schema) as unknown as { fields: { name: string }[] }
  record.fields = edit(record.fields)
  return record as unknown as AvroSchema
}

t.test('decimals round trip exactly through Avro bytes', async (t) => {
  const type = avroType(readerSchema('EventCreated'))
  const decoded = type.fromBuffer(type.toBuffer(created)) as typeof created
  t.same(decoded, created)
  t.equal(decoded.totalInvestment, '1500000.00')
})

t.test('a writer with an extra field resolves into the reader schema', async (t) => {
  const reader = avroType(readerSchema('EventCreated'))
  const writer = avroType(
    withFields(readerSchema('EventCreated'), (fields) => [
      ...fields,
      { name: 'campaign', type: 'string', default: '' } as { name: string },
    ]),
  )
  const bytes = writer.toBuffer({ ...created, campaign: 'spring' })
  t.same(reader.fromBuffer(bytes, reader.createResolver(writer)), created)
})

t.test('a v1 event-created writer (no schedule) resolves with a null schedule; v2 keeps it', async (t) => {
  const reader = avroType(readerSchema('EventCreated'))
  const v1 = avroType(eventCreatedV1Schema())
  const { startsAt: _startsAt, endsAt: _endsAt, ...v1Message } = created
  t.same(reader.fromBuffer(v1.toBuffer(v1Message), reader.createResolver(v1)), { ...v1Message, startsAt: null, endsAt: null })
  t.equal((reader.fromBuffer(reader.toBuffer(created)) as typeof created).endsAt, Date.UTC(2026, 10, 15, 10))
  t.notOk(JSON.stringify(eventCreatedV1Schema()).includes('startsAt'))
})

t.test('a writer lacking an optional field resolves to its default', async (t) => {
  const reader = avroType(readerSchema('ParticipantRegistered'))
  const writer = avroType(withFields(readerSchema('ParticipantRegistered'), (fields) => fields.filter((f) => f.name !== 'channelName')))
  const value = { messageId: 'm', occurredAt: 1, eventId: 'e', participantId: 'p' }
  t.same(reader.fromBuffer(writer.toBuffer(value), reader.createResolver(writer)), { ...value, channelName: null })
})

t.test('a writer decimal of another scale is rescaled exactly, or refused', async (t) => {
  const reader = avroType(readerSchema('DistributionCompleted'))
  const writerSchema = JSON.parse(JSON.stringify(readerSchema('DistributionCompleted')).replace('"scale":2', '"scale":3')) as AvroSchema
  const writer = avroType(writerSchema)
  const resolver = reader.createResolver(writer)
  const message = (cost: string) => ({
    messageId: 'm',
    occurredAt: 1,
    eventId: 'e',
    channels: [{ channelName: 'TV1', channelType: 'TV', distributionCost: cost }],
  })
  const decoded = reader.fromBuffer(writer.toBuffer(message('12.340')), resolver) as ReturnType<typeof message>
  t.equal(decoded.channels[0]!.distributionCost, '12.34')
  t.throws(() => reader.fromBuffer(writer.toBuffer(message('12.345')), resolver), /without rounding/)
})

t.test('an incompatible writer schema cannot be resolved', async (t) => {
  const reader = avroType(readerSchema('EventStatusChanged'))
  const writer = avroType(
    withFields(readerSchema('EventStatusChanged'), (fields) =>
      fields.map((f) => (f.name === 'status' ? ({ name: 'status', type: 'int' } as { name: string }) : f)),
    ),
  )
  t.throws(() => reader.createResolver(writer))
})
