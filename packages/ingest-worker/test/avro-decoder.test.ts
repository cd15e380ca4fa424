/** The batch decoder against the real registry: each message's outcome, whatever else its batch holds. */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { readerSchema } from '@event-analytics/contracts'
import { SchemaType } from '@kafkajs/confluent-schema-registry'
import { AvroDecoder, createSchemaRegistry } from '../src/decode/avro-decoder.js'
import { frameConfluent } from '../src/decode/framing.js'
import { REGISTRY_URL } from './helpers/harness.js'

const registry = createSchemaRegistry(REGISTRY_URL)
const fields = { messageId: 'm-1', occurredAt: Date.UTC(2026, 11, 7), eventId: 'evt-1', participantId: 'p-1', channelName: 'KAKAO' }

async function registered(): Promise<number> {
  const subject = `decoder-test-${randomBytes(4).toString('hex')}-value`
  const schema = JSON.stringify(readerSchema('ParticipantRegistered'))
  return (await registry.register({ type: SchemaType.AVRO, schema }, { subject })).id
}

function outcome(result: ReturnType<Awaited<ReturnType<AvroDecoder['forBatch']>>['decode']>): string {
  return 'record' in result ? `record ${String(result.record['participantId'])}` : `${result.rejected.code}: ${result.rejected.message}`
}

t.test('one batch of good and bad messages: each decoded or refused with its reason', async (t) => {
  const id = await registered()
  const good = await registry.encode(id, fields)
  const unknownId = 2_000_000_000 + Math.floor(Math.random() * 100_000_000)
  const batch = [
    good,
    good.subarray(0, good.length - 3),
    Buffer.concat([good, Buffer.from([0])]),
    Buffer.from([1, 0, 0, 0, 1, 2]),
    null,
    frameConfluent(unknownId, good.subarray(5)),
  ]
  const decoder = await new AvroDecoder(registry).forBatch('ParticipantRegistered', batch)
  const outcomes = batch.map((value) => outcome(decoder.decode(value)))
  t.equal(outcomes[0], 'record p-1')
  t.match(outcomes[1], /^DECODE_FAILED: Avro body does not decode with writer schema \d+: truncated buffer$/)
  t.match(outcomes[2], /^DECODE_FAILED: Avro body does not decode with writer schema \d+: trailing data$/)
  t.match(outcomes[3], /^DECODE_FAILED: magic byte is 1/)
  t.match(outcomes[4], /^DECODE_FAILED: message has no value$/)
  t.equal(outcomes[5], `UNKNOWN_SCHEMA: schema id ${unknownId} is not in the registry`)
})

t.test('a record decodes to exactly the fields encoded', async (t) => {
  const id = await registered()
  const value = await registry.encode(id, fields)
  const decoded = (await new AvroDecoder(registry).forBatch('ParticipantRegistered', [value])).decode(value)
  t.strictSame('record' in decoded ? { ...decoded.record } : decoded, fields)
})

t.test('a value its batch decoder was not prepared for is a programming error, not a dead letter', async (t) => {
  const id = await registered()
  const value = await registry.encode(id, fields)
  const decoder = await new AvroDecoder(registry).forBatch('ParticipantRegistered', [])
  t.throws(() => decoder.decode(value), /writer schema \d+ was not looked up for this batch/)
})
