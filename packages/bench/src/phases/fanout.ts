/**
 * Live-stream fan-out: BENCH_FANOUT_CLIENTS streams on one event while the pipeline carries
 * the freshness load (BENCH_FRESHNESS_RATE participants/s over BENCH_EVENTS other events).
 * One probe participant at a time goes to the watched event; for each, the bench notes when the
 * aggregator's announcement of the commit arrives (it subscribes to the same channel as the API;
 * the announcement follows the commit and the invalidation) and when each client's stream shows
 * the new count. Commit -> client is measured from that announcement, so it slightly understates
 * (by the publish's own delivery, well under a millisecond on loopback); produce -> last client
 * is reported next to it as the end-to-end figure.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { decodeChange } from '@event-analytics/contracts'
import { createDb, closeDb } from '@event-analytics/db'
import { createEventProducer } from '@event-analytics/simulator'
import { Redis } from 'ioredis'
import type { BenchConfig } from '../config.js'
import { apiEnv, changesChannel } from '../env.js'
import { createPhase } from '../isolation.js'
import type { MemoryBook } from '../memory.js'
import type { Progress } from '../progress.js'
import { startService, type RunningService } from '../services.js'
import { summarize, type LatencySummary } from '../stats.js'
import { eventCreated, newEventIds, participant } from '../workload.js'
import { operatorToken } from './api-client.js'
import { observeDrain } from './common.js'
import { drive, type LoadState } from './freshness.js'
import { openStreams, type StreamWatcher } from './sse-clients.js'
import { startPipeline } from './throughput.js'
import { freePort } from '@event-analytics/ops/testing'

const KINDS = ['EventCreated', 'EventStatusChanged', 'DistributionCompleted', 'ParticipantRegistered'] as const
const DELIVERY_TIMEOUT_MS = 5000

export interface FanoutResult {
  clients: number
  targetRate: number
  achievedRate: number
  seconds: number
  probes: number
  /** Client x probe deliveries that did not arrive within 5 s. */
  missed: number
  /** Announcement of the commit -> each client (every client of every probe). */
  commitToClientMs: LatencySummary
  /** Announcement -> the last of the clients, per probe. */
  commitToLastClientMs: LatencySummary
  /** Produce -> the last of the clients, per probe. */
  produceToLastClientMs: LatencySummary
  /** The API process's peak resident set during the phase, MiB. */
  apiPeakMb: number
}

async function untilDelivered(watcher: StreamWatcher, expected: number, clients: number, started: number): Promise<(number | undefined)[]> {
  for (;;) {
    const seen = watcher.seenAt(expected)
    if (seen.every((at) => at !== undefined) || performance.now() - started > DELIVERY_TIMEOUT_MS) return seen.slice(0, clients)
    await sleep(5)
  }
}

export async function runFanout(config: BenchConfig, progress: Progress, memory: MemoryBook): Promise<FanoutResult> {
  const clients = config.BENCH_FANOUT_CLIENTS
  const rate = config.BENCH_FRESHNESS_RATE
  progress.phase(`fanout: starting services (${clients} streams on one event, ${rate} events/s load)`)
  const phase = await createPhase(config, 'fan')
  const db = createDb(phase.databaseUrl, { poolSize: 1, applicationName: 'bench-fanout' })
  const services: RunningService[] = []
  const options = { brokers: config.KAFKA_BROKERS, registryUrl: config.SCHEMA_REGISTRY_URL, topics: phase.topics }
  const load = await createEventProducer({ ...options, clientId: 'bench-load' })
  const probes = await createEventProducer({ ...options, clientId: 'bench-probe' })
  const subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 })
  let watcher: StreamWatcher | undefined
  try {
    services.push(...(await startPipeline(config, phase, 'fanout')))
    const apiPort = await freePort()
    const apiUrl = `http://127.0.0.1:${apiPort}`
    const env = { ...apiEnv(config, phase, apiPort), STREAM_MAX_PER_OWNER: String(clients + 10) }
    services.push(await startService({ pkg: 'query-api', label: 'fanout-query-api', env, readyUrl: `${apiUrl}/ready` }))
    for (const kind of KINDS) await load.schemaId(kind)
    for (const kind of KINDS) await probes.schemaId(kind)
    const eventIds = newEventIds(config.BENCH_EVENTS)
    const [watched] = newEventIds(1) as [string]
    phase.trackEvents([...eventIds, watched])
    await load.send([...eventIds, watched].map((id) => eventCreated(id)))
    await observeDrain(db, eventIds.length + 1, progress, 'events created', 120_000)

    let announced: number | undefined
    subscriber.on('message', (_channel: string, text: string) => {
      if (announced === undefined && decodeChange(text)?.eventIds.includes(watched) === true) announced = performance.now()
    })
    await subscriber.subscribe(changesChannel(phase))
    const token = await operatorToken()
    progress.phase(`fanout: opening ${clients} streams`)
    watcher = await openStreams(`${apiUrl}/api/v1/events/${watched}/analytics/stream`, token, clients, () => undefined)
    progress.phase(`fanout: ${rate} events/s for ${config.BENCH_FANOUT_SECONDS} s, probes on the watched event`)
    const state: LoadState = { sent: 0, running: true }
    const samples = { each: [] as number[], last: [] as number[], produced: [] as number[], missed: 0, probes: 0 }
    const probing = (async () => {
      while (state.running) {
        samples.probes += 1
        announced = undefined
        const started = performance.now()
        await probes.send([participant(watched, samples.probes)])
        const seen = await untilDelivered(watcher!, samples.probes, clients, started)
        const arrived = seen.filter((at): at is number => at !== undefined)
        samples.missed += clients - arrived.length
        const commit = announced ?? started
        if (arrived.length > 0) {
          const last = Math.max(...arrived)
          for (const at of arrived) samples.each.push(Math.max(0, at - commit))
          samples.last.push(Math.max(0, last - commit))
          samples.produced.push(last - started)
        }
        progress.update(`probe ${samples.probes}: last client ${(samples.last.at(-1) ?? Number.NaN).toFixed(0)} ms after the commit`)
        await sleep(300)
      }
    })()
    const achievedRate = await drive(load, eventIds, rate, config.BENCH_FANOUT_SECONDS, state, progress)
    await probing
    const apiPeakMb = await services[2]!.peakMb()
    const result: FanoutResult = {
      clients,
      targetRate: rate,
      achievedRate,
      seconds: config.BENCH_FANOUT_SECONDS,
      probes: samples.probes,
      missed: samples.missed,
      commitToClientMs: summarize(samples.each),
      commitToLastClientMs: summarize(samples.last),
      produceToLastClientMs: summarize(samples.produced),
      apiPeakMb,
    }
    progress.done(
      `commit -> every client p99 ${result.commitToLastClientMs.p99.toFixed(0)} ms over ${samples.probes} probes; API peak ${apiPeakMb.toFixed(0)} MB`,
    )
    return result
  } finally {
    watcher?.close()
    const names = ['ingest-worker', 'aggregator', 'query-api'] as const
    for (const [index, service] of services.entries()) {
      await memory.record(names[index] as (typeof names)[number], 'fanout', service)
    }
    await Promise.all(services.map((service) => service.stop()))
    await Promise.allSettled([load.close(), probes.close(), closeDb(db), subscriber.quit()])
    await phase.cleanup()
  }
}
