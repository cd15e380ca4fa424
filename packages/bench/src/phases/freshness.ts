/**
 * Freshness under steady load: the pipeline and the real query-api run as child processes,
 * background participants are produced at a fixed rate, and probe participants of a
 * dedicated event are timed from produce until GET /events/{id}/analytics shows them (the
 * aggregator invalidates the cached dashboard after each commit).
 */
import { performance } from 'node:perf_hooks'
import { createDb, closeDb, type Database } from '@event-analytics/db'
import { createEventProducer, type EventProducer } from '@event-analytics/simulator'
import type { Kysely } from 'kysely'
import type { BenchConfig } from '../config.js'
import { apiEnv } from '../env.js'
import { createPhase } from '../isolation.js'
import type { MemoryBook } from '../memory.js'
import type { Progress } from '../progress.js'
import type { FreshnessResult } from '../results.js'
import { freePort, sleep, startService, type RunningService } from '../services.js'
import { summarize } from '../stats.js'
import { eventCreated, newEventIds, participant, participants } from '../workload.js'
import { getJson, operatorToken, type DashboardBody } from './api-client.js'
import { observeDrain, visible } from './common.js'
import { startPipeline } from './throughput.js'

const PROBE_TIMEOUT_MS = 15_000
const KINDS = ['EventCreated', 'EventStatusChanged', 'DistributionCompleted', 'ParticipantRegistered'] as const

export interface LoadState {
  sent: number
  running: boolean
}

export async function drive(
  producer: EventProducer,
  eventIds: readonly string[],
  rate: number,
  seconds: number,
  state: LoadState,
  progress: Progress,
): Promise<number> {
  const started = performance.now()
  for (;;) {
    const elapsed = (performance.now() - started) / 1000
    if (elapsed >= seconds) break
    const due = Math.floor(rate * elapsed) - state.sent
    if (due > 0) {
      await producer.send(participants(eventIds, due, state.sent))
      state.sent += due
    }
    progress.update(`${state.sent} produced (${Math.round(state.sent / Math.max(elapsed, 0.001))}/s)`)
    await sleep(50)
  }
  state.running = false
  return (state.sent / (performance.now() - started)) * 1000
}

async function probe(producer: EventProducer, apiUrl: string, token: string, probeEvent: string, state: LoadState): Promise<number[]> {
  const latencies: number[] = []
  let expected = 0
  while (state.running) {
    expected += 1
    const t0 = performance.now()
    await producer.send([participant(probeEvent, expected)])
    for (;;) {
      const { body } = await getJson<DashboardBody>(`${apiUrl}/api/v1/events/${probeEvent}/analytics`, token)
      const waited = performance.now() - t0
      if (body.summary?.totalParticipants >= expected || waited > PROBE_TIMEOUT_MS) {
        latencies.push(waited)
        break
      }
      await sleep(20)
    }
    await sleep(150)
  }
  return latencies
}

async function waitCreated(db: Kysely<Database>, count: number, progress: Progress): Promise<void> {
  await observeDrain(db, count, progress, 'events created', 120_000)
}

/**
 * Runs at BENCH_FRESHNESS_RATE; when the pipeline does not keep up, runs again at half the
 * rate (down to BENCH_FRESHNESS_MIN_RATE), so the figures include the highest rate sustained.
 * Returns every attempt, the sustained one (if any) last.
 */
export async function runFreshnessSeries(config: BenchConfig, progress: Progress, memory: MemoryBook): Promise<FreshnessResult[]> {
  const attempts: FreshnessResult[] = []
  let rate = config.BENCH_FRESHNESS_RATE
  for (;;) {
    const result = await runFreshness(config, rate, progress, memory)
    attempts.push(result)
    if (result.sustained || attempts.length >= config.BENCH_FRESHNESS_ATTEMPTS) return attempts
    rate = Math.floor(rate / 2)
    progress.done(`not sustained; trying ${rate} events/s`)
  }
}

export async function runFreshness(config: BenchConfig, rate: number, progress: Progress, memory: MemoryBook): Promise<FreshnessResult> {
  const seconds = config.BENCH_FRESHNESS_SECONDS
  progress.phase(`freshness: starting services (target ${rate} events/s for ${seconds} s)`)
  const phase = await createPhase(config, 'frs')
  const db = createDb(phase.databaseUrl, { poolSize: 1, applicationName: 'bench-probe' })
  const services: RunningService[] = []
  const options = { brokers: config.KAFKA_BROKERS, registryUrl: config.SCHEMA_REGISTRY_URL, topics: phase.topics }
  const load = await createEventProducer({ ...options, clientId: 'bench-load' })
  const probes = await createEventProducer({ ...options, clientId: 'bench-probe' })
  try {
    services.push(...(await startPipeline(config, phase, 'freshness')))
    const apiPort = await freePort()
    const apiUrl = `http://127.0.0.1:${apiPort}`
    services.push(
      await startService({
        pkg: 'query-api',
        label: 'freshness-query-api',
        env: apiEnv(config, phase, apiPort),
        readyUrl: `${apiUrl}/ready`,
      }),
    )
    // Register every subject once, one producer after the other: concurrent first
    // registrations of one subject race inside the registry.
    for (const kind of KINDS) await load.schemaId(kind)
    for (const kind of KINDS) await probes.schemaId(kind)
    const eventIds = newEventIds(config.BENCH_EVENTS)
    const [probeEvent] = newEventIds(1) as [string]
    phase.trackEvents([...eventIds, probeEvent])
    await load.send([...eventIds, probeEvent].map((id) => eventCreated(id)))
    await waitCreated(db, eventIds.length + 1, progress)
    const token = await operatorToken()
    progress.phase(`freshness: ${rate} events/s for ${seconds} s with probes`)
    const state: LoadState = { sent: 0, running: true }
    const [achievedRate, latencies] = await Promise.all([
      drive(load, eventIds, rate, seconds, state, progress),
      probe(probes, apiUrl, token, probeEvent, state),
    ])
    const expected = eventIds.length + 1 + state.sent + latencies.length
    const backlogAtEnd = expected - (await visible(db))
    const drained = performance.now()
    await observeDrain(db, expected, progress, 'catch-up', 120_000)
    const catchUpMs = performance.now() - drained
    const result: FreshnessResult = {
      targetRate: rate,
      achievedRate,
      seconds,
      backlogAtEnd,
      catchUpMs,
      sustained: achievedRate >= rate * 0.95 && catchUpMs < 1000,
      latencyMs: summarize(latencies),
    }
    progress.done(`p50 ${result.latencyMs.p50.toFixed(0)} ms, p99 ${result.latencyMs.p99.toFixed(0)} ms over ${latencies.length} probes`)
    return result
  } finally {
    const names = ['ingest-worker', 'aggregator', 'query-api'] as const
    for (const [index, service] of services.entries()) {
      await memory.record(names[index] as (typeof names)[number], 'freshness', service)
    }
    await Promise.all(services.map((service) => service.stop()))
    await Promise.allSettled([load.close(), probes.close(), closeDb(db)])
    await phase.cleanup()
  }
}
