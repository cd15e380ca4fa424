import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { DomainEvent } from '@event-analytics/contracts'
import { PRODUCE_CHUNK } from '../src/phases/common.js'
import { drive, type LoadState } from '../src/phases/freshness.js'
import type { Progress } from '../src/progress.js'

const quiet: Progress = { phase: () => undefined, update: () => undefined, done: () => undefined }

// Reproduces the refusal at 20k events/s: a producer that fell behind sent everything it owed in
// one request, past the broker's message size limit. A recording producer stands in for Kafka
// (what is checked is only how drive() splits its sends).
t.test('a load that falls behind is sent in chunks of at most PRODUCE_CHUNK', async (t) => {
  const sizes: number[] = []
  const slowProducer = {
    async send(events: readonly DomainEvent[]): Promise<void> {
      sizes.push(events.length)
      // Each send takes long enough for far more than a chunk to fall due at this rate.
      await sleep(60)
    },
  }
  const state: LoadState = { sent: 0, running: true }
  await drive(slowProducer, ['event-a', 'event-b'], 200_000, 0.5, state, quiet)
  t.ok(
    sizes.some((size) => size === PRODUCE_CHUNK),
    'it fell behind by more than a chunk',
  )
  t.ok(
    sizes.every((size) => size > 0 && size <= PRODUCE_CHUNK),
    `every request within the chunk (largest ${Math.max(...sizes)})`,
  )
  t.equal(
    sizes.reduce((sum, size) => sum + size, 0),
    state.sent,
    'everything counted as sent was sent',
  )
  t.equal(state.running, false, 'the probes are told to stop')
})
