import t from 'tap'
import { isConcurrentTransactions, retryConcurrentTransactions } from '../src/transaction-retry.js'

const fast = { attempts: 4, backoff: { initialMs: 1, maxMs: 2, jitter: false } }

/** The shape of kafkajs' KafkaJSProtocolError (its CJS spread exports are not importable from ESM). */
function concurrent(): Error {
  return Object.assign(new Error('another concurrent operation on the same transaction was ongoing'), {
    type: 'CONCURRENT_TRANSACTIONS',
    code: 51,
  })
}

t.test('CONCURRENT_TRANSACTIONS is repeated until the call goes through', async (t) => {
  let calls = 0
  const retries: number[] = []
  const result = await retryConcurrentTransactions(
    async () => {
      calls += 1
      if (calls < 3) throw concurrent()
      return 'committed'
    },
    (attempt) => retries.push(attempt),
    fast,
  )
  t.equal(result, 'committed')
  t.equal(calls, 3)
  t.same(retries, [1, 2])
})

t.test('other errors are not retried', async (t) => {
  let calls = 0
  await t.rejects(
    retryConcurrentTransactions(
      async () => {
        calls += 1
        throw new Error('fenced')
      },
      () => {},
      fast,
    ),
    { message: 'fenced' },
  )
  t.equal(calls, 1)
})

t.test('gives up after the last attempt with the broker error', async (t) => {
  let calls = 0
  const error = await retryConcurrentTransactions(
    async () => {
      calls += 1
      throw concurrent()
    },
    () => {},
    fast,
  ).catch((caught: unknown) => caught)
  t.equal(calls, fast.attempts)
  t.ok(isConcurrentTransactions(error))
})
