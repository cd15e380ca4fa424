import t from 'tap'
import type { BadMessage } from '../src/bad-messages.js'
import { checkDeadLetters, deadLettersOk } from '../src/dead-letters.js'

const bad = (key: string, code: BadMessage['code']): BadMessage => ({ key, topic: 't', value: Buffer.alloc(0), code, variant: 'v' })
const sent = [bad('a', 'DECODE_FAILED'), bad('b', 'UNKNOWN_SCHEMA'), bad('c', 'INVALID_FIELD')]

t.test('every bad message exactly once with its code', async (t) => {
  const report = checkDeadLetters(sent, [
    { key: 'a', code: 'DECODE_FAILED', reason: 'magic byte is 1' },
    { key: 'b', code: 'UNKNOWN_SCHEMA', reason: 'schema id 9' },
    { key: 'c', code: 'INVALID_FIELD', reason: 'eventId must be 1..36' },
  ])
  t.ok(deadLettersOk(report))
})

t.test('missing, duplicated, wrong code, unexpected and reasonless letters are all reported', async (t) => {
  const report = checkDeadLetters(sent, [
    { key: 'a', code: 'DECODE_FAILED', reason: 'x' },
    { key: 'a', code: 'DECODE_FAILED', reason: 'x' },
    { key: 'b', code: 'INVALID_FIELD', reason: '' },
    { key: 'valid-event', code: 'INVALID_FIELD', reason: 'y' },
  ])
  t.notOk(deadLettersOk(report))
  t.same(report.missing, ['c (v)'])
  t.same(report.duplicated, ['a x2'])
  t.same(report.wrongCode, ['b (v): expected UNKNOWN_SCHEMA, got INVALID_FIELD'])
  t.same(
    report.unexpected.map((l) => l.key),
    ['valid-event'],
  )
  t.same(report.withoutReason, ['b'])
})
