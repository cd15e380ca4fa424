import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { runEvery } from '../src/periodic.js'

// The loops' own timers do not keep the process alive; this one does while the tests wait on them.
const keepAlive = setInterval(() => undefined, 60_000)
t.teardown(() => clearInterval(keepAlive))

/** A promise with its resolve outside. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined
  const promise = new Promise<void>((done) => (resolve = done))
  return { promise, resolve }
}

t.test('ticks during a run are skipped, not queued; stop waits for the run in flight and starts none', async (t) => {
  const releases = [deferred(), deferred(), deferred()]
  const starts = [deferred(), deferred(), deferred()]
  let runs = 0
  const loop = runEvery(
    async () => {
      const run = runs++
      starts[run]?.resolve()
      await releases[run]?.promise
    },
    { intervalMs: 2, onError: (error) => t.fail(String(error)) },
  )
  await starts[0]!.promise
  // About 25 ticks fall inside the first run: a queue would hold them.
  await sleep(50)
  t.equal(runs, 1, 'one run at a time')
  releases[0]!.resolve()
  await starts[1]!.promise
  let stopped = false
  const stopping = loop.stop().then(() => (stopped = true))
  await sleep(10)
  t.notOk(stopped, 'stop waits for the run in flight')
  releases[1]!.resolve()
  await stopping
  await sleep(10)
  t.equal(runs, 2, 'no run started after stop()')
})

t.test('a failed run is reported and the loop goes on', async (t) => {
  const errors: unknown[] = []
  const second = deferred()
  let runs = 0
  const loop = runEvery(
    async () => {
      runs++
      if (runs === 1) throw new Error('the broker did not answer')
      second.resolve()
    },
    { intervalMs: 1, onError: (error) => errors.push(error) },
  )
  await second.promise
  await loop.stop()
  t.match(errors, [{ message: 'the broker did not answer' }])
})
