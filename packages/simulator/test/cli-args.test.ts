import t from 'tap'
import { dueMessages, parseSimulateArgs } from '../src/cli-args.js'

t.test('defaults and flags', async (t) => {
  const args = parseSimulateArgs([], 1234)
  t.match(args, { rate: 50, durationSeconds: null, events: null, seed: 1234, owners: 3, eventsPerOwner: 2, printTruth: false })
  t.match(parseSimulateArgs(['--', '--rate', '200', '--duration', '60', '--seed', '5', '--print-truth'], 0), {
    rate: 200,
    durationSeconds: 60,
    seed: 5,
    printTruth: true,
  })
  t.match(parseSimulateArgs(['--events', '500', '--owners', '4', '--events-per-owner', '5', '--history', '0'], 0), {
    events: 500,
    owners: 4,
    eventsPerOwner: 5,
    history: 0,
  })
})

t.test('bad flags are usage errors naming the flag', async (t) => {
  t.throws(() => parseSimulateArgs(['--rate', '0'], 0), { name: 'UsageError', message: /--rate/ })
  t.throws(() => parseSimulateArgs(['--events', '1.5'], 0), { message: /--events/ })
  t.throws(() => parseSimulateArgs(['--seed', '-1'], 0), { message: /--seed/ })
  t.throws(() => parseSimulateArgs(['--bogus'], 0), { name: 'UsageError' })
})

t.test('pacing: messages due at a rate, capped by the total', async (t) => {
  t.equal(dueMessages(0, 0, 100, null), 1)
  t.equal(dueMessages(1, 1000, 100, null), 100)
  t.equal(dueMessages(150, 1000, 100, null), 0)
  t.equal(dueMessages(0, 10_000, 100, 50), 50)
})
