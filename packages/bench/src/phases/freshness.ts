/**
 * Freshness under steady load: the pipeline and the real query-api run as child processes,
 * background participants are produced at a fixed rate, and probe participants of a
 * dedicated event are timed from produce until GET /events/{id}/analytics shows them (the
 * aggregator invalidates the cached dashboard after each commit). One rig serves many steps
 * (rates): each step starts only once the previous step's backlog is visible in PostgreSQL.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { createDb, closeDb, type Database } from '@event-analytics/db'
import { createEventProducer, type EventProducer } from '@event-analytics/simulator'
import type { Kysely } from 'kysely'
import type { BenchConfig } from '../config.js'
import { apiEnv } from '../env.js'
import { createPhase, type Phase } from '../isolation.js'
import type { MemoryBook } from '../memory.js'
import type { Progress } from '../progress.js'
import type { FreshnessResult } from '../results.js'
import { startService, type RunningService } from '../services.js'
import { keptUp } from '../capacity.js'
import { summarize } from '../stats.js'
import { eventCreated, newEventIds, participant, participants } from '../workload.js'
import { getJson, operatorToken, type DashboardBody } from './api-client.js'
import { observeDrain, PRODUCE_CHUNK, visible } from './common.js'
import { startPipeline, type PipelineShape } from './throughput.js'
import { freePort } from '@event-analytics/ops/testing'

const PROBE_TIMEOUT_MS = 15_000
/** Probes slower than this are named with their wall-clock time, to line them up with the services' logs. */
const SLOW_PROBE_MS = 1000
/** A step's backlog must become visible within this, or the phase fails (the pipeline stalled). */
const CATCH_UP_TIMEOUT_MS = 180_000
const KINDS = ['EventCreated', 'EventStatusChanged', 'DistributionCompleted', 'ParticipantRegistered'] as const

export interface LoadState {
  sent: number
  running: boolean
}

export async function drive(
  producer: Pick<EventProducer, 'send'>,
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
    // A producer that fell behind owes many messages at once: in one request they can pass the
    // broker's message size limit (it refused 20k events/s), so they go in chunks.
    const due = Math.floor(rate * elapsed) - state.sent
    for (let left = due; left > 0; left -= PRODUCE_CHUNK) {
      const count = Math.min(left, PRODUCE_CHUNK)
      await producer.send(participants(eventIds, count, state.sent))
      state.sent += count
    }
    progress.update(`${state.sent} produced (${Math.round(state.sent / Math.max(elapsed, 0.001))}/s)`)
    await sleep(50)
  }
  state.running = false
  return (state.sent / (performance.now() - started)) * 1000
}

/** Probes run one at a time; the count carries over steps (the probe event's total only grows). */
interface ProbeCounter {
  sent: number
}

async function probe(
  producer: EventProducer,
  apiUrl: string,
  token: string,
  probeEvent: string,
  counter: ProbeCounter,
  state: LoadState,
  progress: Progress,
): Promise<number[]> {
  const latencies: number[] = []
  while (state.running) {
    counter.sent += 1
    const expected = counter.sent
    const sentAt = new Date().toISOString()
    const t0 = performance.now()
    await producer.send([participant(probeEvent, expected)])
    for (;;) {
      const { body } = await getJson<DashboardBody>(`${apiUrl}/api/v1/events/${probeEvent}/analytics`, token)
      const waited = performance.now() - t0
      if (body.summary?.totalParticipants >= expected || waited > PROBE_TIMEOUT_MS) {
        latencies.push(waited)
        if (waited > SLOW_PROBE_MS) progress.done(`slow probe: sent ${sentAt}, visible after ${waited.toFixed(0)} ms`)
        break
      }
      await sleep(20)
    }
    await sleep(150)
  }
  return latencies
}

/** A running pipeline + query-api with its events created, ready for steps. */
export interface FreshnessRig {
  readonly phase: Phase
  readonly db: Kysely<Database>
  readonly services: RunningService[]
  readonly load: EventProducer
  readonly probes: EventProducer
  readonly apiUrl: string
  readonly token: string
  readonly eventIds: readonly string[]
  readonly probeEvent: string
  readonly probeCounter: ProbeCounter
  /** Messages produced so far (events created, load, probes): what must be visible. */
  produced: number
}

async function startServices(config: BenchConfig, phase: Phase, label: string, shape: PipelineShape) {
  const services = await startPipeline(config, phase, label, shape)
  try {
    const apiPort = await freePort()
    const apiUrl = `http://127.0.0.1:${apiPort}`
    // The in-process cache layer (off by default) is on here: its freshness bound is what the probes measure.
    const env = { ...apiEnv(config, phase, apiPort), API_LOCAL_CACHE_ENABLED: 'true' }
    services.push(await startService({ pkg: 'query-api', label: `${label}-query-api`, env, readyUrl: `${apiUrl}/ready` }))
    return { services, apiUrl }
  } catch (error) {
    await Promise.all(services.map((service) => service.stop()))
    throw error
  }
}

/** Fresh topics, database and services; every event created and visible before it returns. */
export async function openRig(config: BenchConfig, label: string, shape: PipelineShape, progress: Progress): Promise<FreshnessRig> {
  progress.phase(`${label}: starting ${shape.ingestWorkers} ingest worker(s), ${shape.aggregators} aggregator(s), query-api`)
  const phase = await createPhase(config, 'frs')
  const options = { brokers: config.KAFKA_BROKERS, registryUrl: config.SCHEMA_REGISTRY_URL, topics: phase.topics }
  const opened: { db?: Kysely<Database>; load?: EventProducer; probes?: EventProducer } = {}
  try {
    opened.db = createDb(phase.databaseUrl, { poolSize: 1, applicationName: 'bench-probe' })
    opened.load = await createEventProducer({ ...options, clientId: 'bench-load' })
    opened.probes = await createEventProducer({ ...options, clientId: 'bench-probe' })
    const { services, apiUrl } = await startServices(config, phase, label, shape)
    const rig: FreshnessRig = {
      phase,
      db: opened.db,
      services,
      load: opened.load,
      probes: opened.probes,
      apiUrl,
      token: await operatorToken(),
      eventIds: newEventIds(config.BENCH_EVENTS),
      probeEvent: newEventIds(1)[0] as string,
      probeCounter: { sent: 0 },
      produced: 0,
    }
    await createEvents(rig, progress)
    return rig
  } catch (error) {
    await Promise.allSettled([opened.load?.close(), opened.probes?.close(), opened.db && closeDb(opened.db)])
    await phase.cleanup()
    throw error
  }
}

async function createEvents(rig: FreshnessRig, progress: Progress): Promise<void> {
  // Register every subject once, one producer after the other: concurrent first
  // registrations of one subject race inside the registry.
  for (const kind of KINDS) await rig.load.schemaId(kind)
  for (const kind of KINDS) await rig.probes.schemaId(kind)
  const all = [...rig.eventIds, rig.probeEvent]
  rig.phase.trackEvents(all)
  await rig.load.send(all.map((id) => eventCreated(id)))
  rig.produced += all.length
  await observeDrain(rig.db, rig.produced, progress, 'events created', 120_000)
}

/**
 * One step: `rate` events/s for `seconds` with probes, then waits until everything produced
 * is visible (so the next step starts on a drained backlog) and times that catch-up.
 */
export async function runStep(rig: FreshnessRig, rate: number, seconds: number, progress: Progress): Promise<FreshnessResult> {
  const state: LoadState = { sent: 0, running: true }
  const probesBefore = rig.probeCounter.sent
  const [achievedRate, latencies] = await Promise.all([
    drive(rig.load, rig.eventIds, rate, seconds, state, progress),
    probe(rig.probes, rig.apiUrl, rig.token, rig.probeEvent, rig.probeCounter, state, progress),
  ])
  rig.produced += state.sent + (rig.probeCounter.sent - probesBefore)
  const backlogAtEnd = rig.produced - (await visible(rig.db))
  const stopped = performance.now()
  await observeDrain(rig.db, rig.produced, progress, 'catch-up', CATCH_UP_TIMEOUT_MS)
  const catchUpMs = performance.now() - stopped
  return {
    targetRate: rate,
    achievedRate,
    seconds,
    backlogAtEnd,
    catchUpMs,
    sustained: keptUp({ targetRate: rate, achievedRate, catchUpMs }),
    latencyMs: summarize(latencies),
  }
}

/** Records the services' peak memory under `label`, stops them and removes the phase's resources. */
export async function closeRig(rig: FreshnessRig, label: string, memory: MemoryBook): Promise<void> {
  await memory.recordAll(label, rig.services)
  await Promise.all(rig.services.map((service) => service.stop()))
  await Promise.allSettled([rig.load.close(), rig.probes.close(), closeDb(rig.db)])
  await rig.phase.cleanup()
}
