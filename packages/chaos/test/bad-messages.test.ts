import t from 'tap'
import { parseConfluentFrame, frameConfluent } from '@event-analytics/ingest-worker'
import { BAD_VARIANTS, incompatibleStatusSchema, truncatedBody, unknownSchemaId, wrongMagicByte } from '../src/bad-messages.js'

const framed = frameConfluent(42, Buffer.from('0123456789abcdef'))

t.test('byte manipulations of a framed message', async (t) => {
  t.throws(() => parseConfluentFrame(wrongMagicByte(framed)), /magic byte is 1/)
  t.equal(wrongMagicByte(framed).length, framed.length)
  const truncated = truncatedBody(framed)
  t.equal(truncated.length, framed.length - 8, 'eight bytes cut from the body')
  t.equal(parseConfluentFrame(truncated).schemaId, 42, 'the header stays valid')
  t.same(parseConfluentFrame(unknownSchemaId(framed, 987)), { schemaId: 987, payload: framed.subarray(5) })
})

t.test('the incompatible schema changes status to int and nothing else', async (t) => {
  const schema = incompatibleStatusSchema() as unknown as { name: string; fields: { name: string; type: unknown }[] }
  t.same(schema.fields.find((f) => f.name === 'status')?.type, 'int')
  t.ok(schema.fields.some((f) => f.name === 'messageId'))
  t.equal(BAD_VARIANTS, 8, 'eight variants, so a phase of 8 covers every code')
})
