import t from 'tap'
import { nextAttemptAt, retryDelayMs } from '../src/schedule.js'

t.test('exponential backoff, capped, then given up', async (t) => {
  const schedule = { baseMs: 10_000, maxDelayMs: 60_000, maxAttempts: 6 }
  t.same(
    [1, 2, 3, 4, 5].map((made) => retryDelayMs(schedule, made)),
    [10_000, 20_000, 40_000, 60_000, 60_000],
  )
  t.equal(retryDelayMs(schedule, 6), null, 'the sixth failure is the last attempt')
  t.same(nextAttemptAt(schedule, 2, new Date(0)), new Date(20_000))
  t.equal(nextAttemptAt(schedule, 7, new Date(0)), null)
  t.equal(retryDelayMs({ baseMs: 1, maxDelayMs: Number.MAX_SAFE_INTEGER, maxAttempts: 100 }, 99), 2 ** 40, 'the exponent is bounded')
})
