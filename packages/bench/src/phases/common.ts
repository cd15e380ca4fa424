import { performance } from 'node:perf_hooks'
import type { DomainEvent } from '@event-analytics/contracts'
import type { Database } from '@event-analytics/db'
import { readBenchVisibleCounts } from '@event-analytics/db/bench'
import type { EventProducer } from '@event-analytics/simulator'
import type { Kysely } from 'kysely'
import type { Progress } from '../progress.js'
import { sleep } from '../services.js'
import type { Observation } from '../stats.js'

const CHUNK = 2000

/** Produces every event in chunks; returns the produce rate (msg/s). */
export async function produceAll(producer: EventProducer, events: readonly DomainEvent[], progress: Progress): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < events.length; i += CHUNK) {
    await producer.send(events.slice(i, i + CHUNK))
    progress.update(`produced ${Math.min(i + CHUNK, events.length)}/${events.length}`)
  }
  return (events.length / (performance.now() - started)) * 1000
}

/** Messages visible in the tables: participants counted plus events created. */
export async function visible(db: Kysely<Database>): Promise<number> {
  const counts = await readBenchVisibleCounts(db)
  return counts.participants + counts.createdEvents
}

/** Polls the tables every 100 ms until `total` messages are visible; throws on timeout. */
export async function observeDrain(
  db: Kysely<Database>,
  total: number,
  progress: Progress,
  label: string,
  timeoutMs: number,
): Promise<Observation[]> {
  const started = performance.now()
  const observations: Observation[] = []
  for (;;) {
    const done = await visible(db)
    const atMs = performance.now() - started
    observations.push({ atMs, done })
    progress.update(`${label}: ${done}/${total} visible`)
    if (done >= total) return observations
    if (atMs > timeoutMs) throw new Error(`${label}: only ${done}/${total} visible after ${Math.round(timeoutMs / 1000)} s`)
    await sleep(100)
  }
}
