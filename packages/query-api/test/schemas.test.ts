/**
 * The TypeBox builders emit the JSON Schema the hand-written one was (docs: README "Schemas are
 * the types"): what Ajv, fast-json-stringify and the OpenAPI document read must not change shape.
 * JSON round trips drop TypeBox's symbol keys, as those readers ignore them.
 */
import t from 'tap'
import { Type } from '@sinclair/typebox'
import {
  AsOfSchema,
  Body,
  ChannelTypeSchema,
  NoBodySchema,
  NullableDecimalSchema,
  ProblemSchema,
  Query,
  StringEnum,
  TimelineSchema,
} from '../src/wire/schemas.js'

const json = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema))

t.test('nullable values are type arrays, enums are string enums', async (t) => {
  t.same(json(NullableDecimalSchema), { type: ['string', 'null'], pattern: '^-?\\d+\\.\\d{2}$' })
  t.match(json(AsOfSchema), { type: ['string', 'null'], format: 'date-time', description: /never in the future/ })
  t.same(json(ChannelTypeSchema), { type: ['string', 'null'], enum: ['TV', 'SNS', 'VOICE', null] })
  t.same(json(StringEnum(['asc', 'desc'], { default: 'asc' })), { type: 'string', enum: ['asc', 'desc'], default: 'asc' })
  t.same(json(NoBodySchema), { type: 'null' })
})

t.test('a body requires every property, in order, and nothing else', async (t) => {
  t.strictSame(json(Body({ b: Type.String(), a: Type.Integer() })), {
    additionalProperties: false,
    type: 'object',
    required: ['b', 'a'],
    properties: { b: { type: 'string' }, a: { type: 'integer' } },
  })
  const timeline = json(TimelineSchema) as { required: string[]; properties: Record<string, unknown> }
  t.notOk(timeline.required.includes('note'), 'the timeline note is optional')
  t.equal(Object.keys(timeline.properties).at(-1), 'note', 'and serialised last')
  const problem = json(ProblemSchema) as Record<string, unknown>
  t.equal(problem['$id'], 'Problem')
  t.notOk('additionalProperties' in problem, 'problem bodies may carry extension members')
})

t.test('a querystring requires nothing; each parameter is optional or has a default', async (t) => {
  const query = Query({ page: Type.Integer({ default: 1 }), tz: Type.Optional(Type.String()) })
  t.same(json(query), {
    additionalProperties: false,
    type: 'object',
    properties: { page: { type: 'integer', default: 1 }, tz: { type: 'string' } },
  })
  t.notOk('required' in query)
  t.throws(() => Query({ page: Type.Integer() }), /query parameter page needs Type.Optional or a default/)
})
