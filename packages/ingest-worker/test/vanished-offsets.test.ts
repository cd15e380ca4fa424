import t from 'tap'
import { VanishedOffsets, type KnownOffset } from '../src/vanished-offsets.js'

const committed: KnownOffset = { topic: 'event-created', partition: 0, offset: 42n }
const other: KnownOffset = { topic: 'event-created', partition: 1, offset: 7n }
const none = (): bigint | undefined => undefined
const shown = (): bigint => 42n

t.test('one read without the offset (a commit whose markers are not written yet) restarts nothing', async (t) => {
  const offsets = new VanishedOffsets()
  t.same(offsets.check([committed], none), [])
  t.same(offsets.check([committed], shown), [], 'seen again: never vanished')
  t.same(offsets.check([committed], none), [], 'absent once more: a new suspicion, not a confirmation')
})

t.test('absent at two checks in a row: vanished, once', async (t) => {
  const offsets = new VanishedOffsets()
  t.same(offsets.check([committed, other], none), [])
  t.same(
    offsets.check([committed, other], (_topic, partition) => (partition === 1 ? 7n : -1n)),
    [committed],
  )
  t.same(offsets.check([committed, other], none), [], 'the restart clears it; the next absence starts over')
})

t.test('a partition this worker no longer knows is forgotten', async (t) => {
  const offsets = new VanishedOffsets()
  t.same(offsets.check([committed], none), [])
  t.same(offsets.check([other], none), [])
  t.same(offsets.check([committed], none), [], 'the suspicion did not survive a check without it')
})
