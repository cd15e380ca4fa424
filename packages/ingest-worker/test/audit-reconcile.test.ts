/** The audit's verdict without a broker: applied, dead-lettered (same bytes), in flight, missing, in both. */
import t from 'tap'
import { deadLetterPlace, reconcile } from '../src/audit/reconcile.js'

const messages = [
  { offset: '0', valueDigest: 'a', messageId: 'm-0' },
  { offset: '1', valueDigest: 'b', messageId: null },
  { offset: '2', valueDigest: 'c', messageId: 'm-2' },
  { offset: '3', valueDigest: 'd', messageId: 'm-3' },
  { offset: '4', valueDigest: 'e', messageId: 'm-4' },
  { offset: '5', valueDigest: 'f', messageId: 'm-5' },
]

t.test('each message in one place, or named', async (t) => {
  const letters = new Map([
    [deadLetterPlace('topic', 0, '1'), ['b']],
    // A letter of an earlier incarnation at the same place carries other bytes: it does not count.
    [deadLetterPlace('topic', 0, '2'), ['old-bytes']],
    [deadLetterPlace('topic', 0, '3'), ['d']],
  ])
  const audit = reconcile({ topic: 'topic', partition: 0, messages, committed: 5n }, letters, new Set(['m-0', 'm-3']))
  t.match(audit, { held: 6, applied: 2, deadLettered: 1, inFlight: 1 })
  t.same(audit.missing, [
    { offset: '2', messageId: 'm-2' },
    { offset: '4', messageId: 'm-4' },
  ])
  t.same(audit.inBoth, [{ offset: '3', messageId: 'm-3' }])
})

t.test('nothing committed: everything not yet applied is in flight', async (t) => {
  const audit = reconcile({ topic: 'topic', partition: 1, messages, committed: -1n }, new Map(), new Set())
  t.match(audit, { applied: 0, inFlight: 6, missing: [] })
})
