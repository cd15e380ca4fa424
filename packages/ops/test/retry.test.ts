import t from 'tap'
import { backoffDelayMs, retry } from '../src/retry.js'

/** Pauses of 1 ms: the tests count calls and pauses, they never time them. */
const quick = { initialMs: 1, maxMs: 1, jitter: false } as const

function failing(
  times: number,
  error: () => Error = () => new Error('not yet'),
): { operation: (attempt: number) => Promise<string>; seen: number[] } {
  const seen: number[] = []
  return {
    seen,
    operation: async (attempt) => {
      seen.push(attempt)
      if (seen.length <= times) throw error()
      return 'done'
    },
  }
}

t.test('repeats a failing operation until it resolves, numbering the attempts from 1', async (t) => {
  const { operation, seen } = failing(2)
  const retried: [number, number][] = []
  const result = await retry(operation, { backoff: quick, onRetry: (_error, attempt, delayMs) => retried.push([attempt, delayMs]) })
  t.equal(result, 'done')
  t.same(seen, [1, 2, 3])
  t.same(retried, [
    [1, 1],
    [2, 1],
  ])
})

t.test('gives up after `attempts` calls with the last error (default 5)', async (t) => {
  let count = 0
  const counted = failing(10, () => new Error(`failure ${++count}`))
  await t.rejects(retry(counted.operation, { backoff: quick }), { message: 'failure 5' })
  t.equal(counted.seen.length, 5)
  const once = failing(10)
  await t.rejects(retry(once.operation, { attempts: 1, backoff: quick }), { message: 'not yet' })
  t.equal(once.seen.length, 1)
})

t.test('a failure shouldRetry refuses is thrown at once', async (t) => {
  const { operation, seen } = failing(3, () => new RangeError('bad data'))
  await t.rejects(retry(operation, { backoff: quick, shouldRetry: (error) => !(error instanceof RangeError) }), RangeError)
  t.same(seen, [1])
})

t.test('no attempt starts past the deadline', async (t) => {
  const { operation, seen } = failing(10)
  await t.rejects(retry(operation, { attempts: Infinity, deadlineMs: 0, backoff: quick }), { message: 'not yet' })
  t.same(seen, [1], 'the pause would end past the deadline')
})

t.test('an abort ends a pause at once and throws the last failure', async (t) => {
  const controller = new AbortController()
  const { operation, seen } = failing(10)
  const retrying = retry(operation, {
    attempts: Infinity,
    backoff: { initialMs: 3_600_000, jitter: false, maxMs: 3_600_000 },
    signal: controller.signal,
    onRetry: () => controller.abort(),
  })
  await t.rejects(retrying, { message: 'not yet' })
  t.same(seen, [1])
  const { operation: afterAbort, seen: seenAfter } = failing(10)
  await t.rejects(retry(afterAbort, { backoff: quick, signal: controller.signal }), { message: 'not yet' })
  t.same(seenAfter, [1], 'an aborted signal still lets the first attempt run, but no retry')
})

t.test('backoff grows by its factor up to its cap; full jitter scales it by [0, 1)', async (t) => {
  const exact = { initialMs: 100, factor: 2, maxMs: 1000, jitter: false }
  t.same(
    [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, exact)),
    [100, 200, 400, 800, 1000, 1000],
  )
  t.same(
    [1, 2, 3].map((attempt) => backoffDelayMs(attempt, { initialMs: 500, factor: 1, jitter: false })),
    [500, 500, 500],
  )
  t.equal(
    backoffDelayMs(3, { initialMs: 100 }, () => 0.5),
    200,
  )
  t.equal(
    backoffDelayMs(1, { initialMs: 100 }, () => 0.999),
    99,
  )
  t.equal(
    backoffDelayMs(4, {}, () => 0),
    0,
  )
  t.equal(backoffDelayMs(40, { jitter: false }), 5000, 'the default cap')
})

t.test('attempts below 1 are refused', async (t) => {
  await t.rejects(
    retry(async () => 'x', { attempts: 0 }),
    RangeError,
  )
})
