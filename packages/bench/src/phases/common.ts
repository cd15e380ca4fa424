import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import type { DomainEvent } from '@event-analytics/contracts'
import type { Database } from '@event-analytics/db'
import { readBenchVisibleCounts, readBenchUnfoldedRegistrations } from '@event-analytics/db/bench'
import type { EventProducer } from '@event-analytics/simulator'
import { Kafka, logLevel } from 'kafkajs'
import type { Kysely } from 'kysely'
import type { Progress } from '../progress.js'

import type { Observation } from '../stats.js'

/** Messages per produce request: 2,000 participants stay well under the broker's 1 MB limit. */
export const PRODUCE_CHUNK = 2000

/** Produces every event in chunks; returns the produce rate (msg/s). */
export async function produceAll(producer: EventProducer, events: readonly DomainEvent[], progress: Progress): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < events.length; i += PRODUCE_CHUNK) {
    await producer.send(events.slice(i, i + PRODUCE_CHUNK))
    progress.update(`produced ${Math.min(i + PRODUCE_CHUNK, events.length)}/${events.length}`)
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

/**
 * Polls every 100 ms until the returning-participants fold has emptied its registration log (the
 * last registrations fold shortly after the last message is visible); returns how long that took
 * in ms. Throws on timeout.
 */
export async function waitForFold(db: Kysely<Database>, progress: Progress, label: string, timeoutMs: number): Promise<number> {
  const started = performance.now()
  for (;;) {
    const left = await readBenchUnfoldedRegistrations(db)
    const atMs = performance.now() - started
    if (left === 0) return atMs
    progress.update(`${label}: ${left} registrations left to fold`)
    if (atMs > timeoutMs) throw new Error(`${label}: ${left} registrations still unfolded after ${Math.round(timeoutMs / 1000)} s`)
    await sleep(100)
  }
}

/**
 * Waits until consumer group `groupId` is Stable with `members` members (kafkajs joins one by
 * one, and the broker's initial rebalance delay may be 0, so a second worker's join moves
 * partitions). Throws after `timeoutMs`.
 */
export async function waitForStableGroup(brokers: readonly string[], groupId: string, members: number, timeoutMs = 60_000): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-group-watch', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const { groups } = await admin.describeGroups([groupId])
      const group = groups[0]
      if (group?.state === 'Stable' && group.members.length === members) return
      if (performance.now() > deadline)
        throw new Error(
          `consumer group ${groupId}: ${group?.state ?? 'absent'} with ${group?.members.length ?? 0}/${members} members after ${timeoutMs / 1000} s`,
        )
      await sleep(200)
    }
  } finally {
    await admin.disconnect()
  }
}
