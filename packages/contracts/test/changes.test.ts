/** Change announcements: encoding bounds (the publish after the invalidation: ops' change-publication.test.ts). */
import t from 'tap'
import { MAX_EVENT_IDS_PER_CHANGE, decodeChange, encodeChanges } from '../src/changes.js'

t.test('messages are deduplicated, chunked and round-trip; foreign text is ignored', async (t) => {
  const ids = Array.from({ length: MAX_EVENT_IDS_PER_CHANGE + 3 }, (_, index) => `e${index}`)
  const messages = encodeChanges([...ids, 'e0', 'e1'], 42)
  t.equal(messages.length, 2)
  const decoded = messages.map((text) => decodeChange(text))
  t.same(
    decoded.flatMap((change) => change?.eventIds ?? []),
    ids,
  )
  t.equal(decoded[0]?.at, 42)
  t.equal(decodeChange('not json'), undefined)
  t.equal(decodeChange(JSON.stringify({ v: 2, eventIds: [], at: 1 })), undefined)
  t.same(encodeChanges([]), [])
})
