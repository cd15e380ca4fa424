import t from 'tap'
import { BatchAborted, isolatePoison } from '../src/isolate.js'
import { collectBatch } from '../src/batcher.js'

/** 1 ms pauses: the tests count attempts, never time them. */
const quick = { backoff: { initialMs: 1, maxMs: 1, jitter: false } }

t.test('bisects a data failure down to the poison units, applying every other unit', async (t) => {
  const applied: number[] = []
  const poisons = await isolatePoison(
    [1, 2, 3, 4, 5, 6, 7],
    async (units) => {
      if (units.includes(3) || units.includes(6)) throw new RangeError(`bad unit in ${units.join(',')}`)
      applied.push(...units)
    },
    { transientRetry: quick },
  )
  t.same(
    poisons.map((p) => p.unit),
    [3, 6],
  )
  t.match(poisons[0]?.reason, /bad unit in 3/)
  t.same(applied.sort(), [1, 2, 4, 5, 7])
})

t.test('retries transient failures whole, and aborts when told to stop', async (t) => {
  let calls = 0
  const retried: number[] = []
  const connectionLost = Object.assign(new Error('Connection terminated unexpectedly'), {})
  const poisons = await isolatePoison(
    [1, 2],
    async () => {
      calls += 1
      if (calls < 3) throw connectionLost
    },
    { transientRetry: { ...quick, onRetry: (_error, attempt) => retried.push(attempt) } },
  )
  t.same(poisons, [])
  t.equal(calls, 3)
  t.same(retried, [1, 2])
  const shutdown = new AbortController()
  let abortedCalls = 0
  await t.rejects(
    isolatePoison(
      [1, 2],
      async () => {
        abortedCalls += 1
        throw connectionLost
      },
      { transientRetry: { ...quick, signal: shutdown.signal, onRetry: () => shutdown.abort() } },
    ),
    BatchAborted,
  )
  t.equal(abortedCalls, 1, 'the abort ends the pause: no attempt after it, and no split for a transient failure')
})

t.test('collectBatch stops at the message limit', async (t) => {
  const queue = [3, 3, 3, 3]
  const batch = await collectBatch(
    async () => queue.shift(),
    (n) => n,
    { maxMessages: 5, maxWaitMs: 10_000, isStopping: () => false },
  )
  t.same(batch, [3, 3])
})

t.test('collectBatch closes as soon as the queue has nothing more to give', async (t) => {
  const queue = [1, 2]
  const blocking: boolean[] = []
  const batch = await collectBatch(
    async (block) => {
      blocking.push(block)
      return queue.shift()
    },
    (n) => n,
    { maxMessages: 100, maxWaitMs: 60_000, isStopping: () => false },
  )
  t.same(batch, [1, 2])
  t.same(blocking, [true, false, false], 'one blocking fetch for the first job, then only what is already there')
})

t.test('collectBatch with maxWaitMs 0 takes one job', async (t) => {
  const queue = [1, 2]
  t.same(
    await collectBatch(
      async () => queue.shift(),
      (n) => n,
      { maxMessages: 100, maxWaitMs: 0, isStopping: () => false },
    ),
    [1],
  )
})

t.test('collectBatch returns nothing once stopping', async (t) => {
  t.same(
    await collectBatch(
      async () => undefined,
      () => 1,
      { maxMessages: 5, maxWaitMs: 10, isStopping: () => true },
    ),
    [],
  )
})
