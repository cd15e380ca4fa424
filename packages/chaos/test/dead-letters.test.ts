import t from 'tap'
import type { BadMessage } from '../src/bad-messages.js'
import { checkDeadLetters, checkRebuildDeadLetters, deadLettersOk, type DeadLetter } from '../src/dead-letters.js'

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

t.test("a rebuild's dead letters: its own topic, each marked with its set, the live topic untouched", async (t) => {
  const marked = (key: string, code: string, projectionSet?: string): DeadLetter => ({
    key,
    code,
    reason: 'r',
    ...(projectionSet === undefined ? {} : { projectionSet }),
  })
  const live = [marked('a', 'DECODE_FAILED'), marked('b', 'UNKNOWN_SCHEMA'), marked('c', 'INVALID_FIELD')]
  const rebuilt = live.map((letter) => ({ ...letter, projectionSet: 'rb' }))
  t.same(checkRebuildDeadLetters(sent, rebuilt, { before: live, after: live }, 'rb'), [])

  const problems = checkRebuildDeadLetters(
    sent,
    [marked('a', 'DECODE_FAILED', 'rb'), marked('b', 'UNKNOWN_SCHEMA'), marked('b', 'UNKNOWN_SCHEMA', 'rb')],
    { before: live, after: [...live, marked('c', 'INVALID_FIELD', 'rb')] },
    'rb',
  ).join('\n')
  t.match(problems, /bad message not dead-lettered by the rebuild: c \(v\)/)
  t.match(problems, /dead-lettered more than once by the rebuild: b x2/)
  t.match(problems, /1 rebuild dead letter\(s\) not marked with set rb: b \(unmarked\)/)
  t.match(problems, /the live dead-letter topic went from 3 to 4 letters during the rebuild/)
  t.match(problems, /1 letter\(s\) of a projection set in the live dead-letter topic \(rb\)/)
})
