/**
 * Throughput: one backlog in fresh topics, drained by (a) the raw consume-and-decode ceiling
 * and (b) the real pipeline (ingest-worker + aggregator child processes); then (c) the naive
 * baseline on its own smaller backlog.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createDb, closeDb } from '@event-analytics/db'
import { createEventProducer } from '@event-analytics/simulator'
import type { BenchConfig } from '../config.js'
import { aggregatorEnv, ingestEnv } from '../env.js'
import { createPhase, type Phase, type PipelineTarget } from '../isolation.js'
import type { MemoryBook } from '../memory.js'
import type { Progress } from '../progress.js'
import { RESULTS_DIR } from '../paths.js'
import type { PipelineMetrics, EndToEndRun, ThroughputResult } from '../results.js'
import { startService, type RunningService } from '../services.js'
import { drainRate, type Observation } from '../stats.js'
import { backlog, newEventIds } from '../workload.js'
import { observeDrain, produceAll, waitForFold, waitForStableGroup } from './common.js'
import { naiveRate } from './naive.js'
import { rawConsumeRate } from './raw-consume.js'
import { freePort, metricSum } from '@event-analytics/ops/testing'
import { startCpuWatch } from '../cpu-watch.js'
import { steadyCpu } from '../steady-cpu.js'

/** Idle window before each throughput drain: Redis's and Kafka's background CPU rate, taken off theirs. */
const CPU_IDLE_SECONDS = 3

export async function fill(config: BenchConfig, phase: Phase, total: number, progress: Progress) {
  const producer = await createEventProducer({
    brokers: config.KAFKA_BROKERS,
    registryUrl: config.SCHEMA_REGISTRY_URL,
    topics: phase.topics,
  })
  try {
    const events = backlog(newEventIds(Math.min(config.BENCH_EVENTS, total)), total)
    const rate = await produceAll(producer, events, progress)
    return { rate, registry: producer.registry }
  } finally {
    await producer.close()
  }
}

/** How many processes of each worker run one pipeline (same consumer group, same queue). */
export interface PipelineShape {
  readonly ingestWorkers: number
  readonly aggregators: number
}

export const ONE_EACH: PipelineShape = { ingestWorkers: 1, aggregators: 1 }

/** Where the services' queue and cache are, when not the shared REDIS_URL (the cluster phase). */
export interface RedisPlacement {
  /** Added to each service's environment, e.g. REDIS_CLUSTER_NODES. */
  readonly env: Record<string, string>
  /** Removed from it (REDIS_URL, which may not be set together with REDIS_CLUSTER_NODES). */
  readonly unset: readonly string[]
}

function placed(env: Record<string, string>, redis: RedisPlacement | undefined): Record<string, string> {
  return redis === undefined ? env : { ...env, ...redis.env }
}

/** Label suffix of instance `index` of `count` ("" for a single one, so 1+1 logs keep their names). */
const instanceSuffix = (index: number, count: number): string => (count === 1 ? '' : `-${index + 1}`)

async function startAll(count: number, start: (index: number) => Promise<RunningService>): Promise<RunningService[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, index) => start(index)))
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed === undefined) return started
  await Promise.all(started.map((service) => service.stop()))
  throw failed.reason
}

/**
 * Starts the ingest workers together, waits until their consumer group is stable with all of
 * them (so no rebalance falls inside a timed drain: the aggregators' first commit starts the
 * clock), then the aggregators together. Ingest workers come first in the result. Stops
 * whatever started when one fails.
 */
export async function startPipeline(
  config: BenchConfig,
  target: PipelineTarget,
  label: string,
  shape: PipelineShape = ONE_EACH,
  redis?: RedisPlacement,
): Promise<RunningService[]> {
  const ingest = await startAll(shape.ingestWorkers, async (i) => {
    const port = await freePort()
    const suffix = instanceSuffix(i, shape.ingestWorkers)
    const env = placed(ingestEnv(config, target, port, i), redis)
    return startService({
      pkg: 'ingest-worker',
      label: `${label}-ingest-worker${suffix}`,
      env,
      unsetEnv: redis?.unset,
      readyUrl: `http://127.0.0.1:${port}/ready`,
    })
  })
  try {
    // Every shape waits, 1+1 too, so the 1+1 and scale-out drains are timed the same way.
    await waitForStableGroup(config.KAFKA_BROKERS, target.groupId('ingest'), shape.ingestWorkers)
    const aggregators = await startAll(shape.aggregators, async (i) => {
      const port = await freePort()
      const suffix = instanceSuffix(i, shape.aggregators)
      const env = placed(aggregatorEnv(config, target, port), redis)
      return startService({
        pkg: 'aggregator',
        label: `${label}-aggregator${suffix}`,
        env,
        unsetEnv: redis?.unset,
        readyUrl: `http://127.0.0.1:${port}/ready`,
      })
    })
    return [...ingest, ...aggregators]
  } catch (error) {
    await Promise.all(ingest.map((service) => service.stop()))
    throw error
  }
}

/** Metrics of every instance, summed (a counter summed over processes is the pipeline's). */
async function pipelineMetrics(
  services: readonly RunningService[],
  observations: readonly Observation[],
  foldMs: number | null,
): Promise<PipelineMetrics> {
  mkdirSync(join(RESULTS_DIR, 'logs'), { recursive: true })
  const texts = await Promise.all(
    services.map(async (service) => {
      const text = await service.metrics()
      writeFileSync(join(RESULTS_DIR, 'logs', `${service.name}.metrics.txt`), text)
      return { pkg: service.pkg, text }
    }),
  )
  const of = (pkg: string): string =>
    texts
      .filter((t) => t.pkg === pkg)
      .map((t) => t.text)
      .join('\n')
  const [ingestText, aggregatorText] = [of('ingest-worker'), of('aggregator')]
  const batches = metricSum(aggregatorText, 'aggregator_batch_messages_count')
  const first = observations.find((o) => o.done > 0)
  const last = observations.at(-1)
  return {
    drainSeconds: first === undefined || last === undefined ? Number.NaN : (last.atMs - first.atMs) / 1000,
    foldSecondsAfterDrain: foldMs === null ? null : foldMs / 1000,
    aggregatorBatches: batches,
    aggregatorMessagesPerBatch: batches === 0 ? Number.NaN : metricSum(aggregatorText, 'aggregator_batch_messages_sum') / batches,
    aggregatorTransactionSeconds: metricSum(aggregatorText, 'aggregator_transaction_seconds_sum'),
    ingestJobs: metricSum(ingestText, 'ingest_jobs_enqueued_total'),
  }
}

/** Names the drain's logs and memory rows (default `throughput`, `throughput-2x2`), and where its Redis is. */
export interface DrainOptions {
  readonly label?: string
  readonly redis?: RedisPlacement
  /** Measure the CPU of every process the drain needs (cpu-watch.ts); the pipeline starts this much later. */
  readonly cpuIdleSeconds?: number
}

/** The real pipeline drains the backlog in `target`'s database; rate from first progress to the last message. */
export async function endToEnd(
  config: BenchConfig,
  target: PipelineTarget,
  total: number,
  shape: PipelineShape,
  progress: Progress,
  memory: MemoryBook,
  options: DrainOptions = {},
): Promise<EndToEndRun> {
  const label = options.label ?? (shape === ONE_EACH ? 'throughput' : `throughput-${shape.ingestWorkers}x${shape.aggregators}`)
  const db = createDb(target.databaseUrl, { poolSize: 1, applicationName: 'bench-probe' })
  const watch = options.cpuIdleSeconds === undefined ? null : await startCpuWatch(config, target, options.cpuIdleSeconds)
  const services = await startPipeline(config, target, label, shape, options.redis).catch(async (error: unknown) => {
    await watch?.close()
    throw error
  })
  watch?.addServices(services)
  let run: EndToEndRun
  try {
    const observations = await observeDrain(db, total, progress, 'end-to-end', 300_000)
    // The CPU window closes once the returning-participants fold has caught up too: folding each
    // registration is part of what an event costs, even though the figures are visible before it.
    const foldMs = watch === null ? null : await waitForFold(db, progress, 'end-to-end', 120_000)
    await watch?.close()
    const pipeline = await pipelineMetrics(services, observations, foldMs)
    run = { ...shape, endToEndRate: drainRate(observations, total), pipeline }
  } finally {
    await watch?.close()
    await memory.recordAll(label, services)
    await Promise.all(services.map((service) => service.stop()))
    await closeDb(db)
  }
  // Redis's and Kafka's second idle window needs the pipeline stopped.
  return watch === null ? run : { ...run, cpu: await watch.account(total) }
}

/** The same backlog again, from a fresh lane, with `BENCH_SCALE_OUT` workers of each kind. */
async function scaleOut(
  config: BenchConfig,
  phase: Phase,
  total: number,
  progress: Progress,
  memory: MemoryBook,
): Promise<EndToEndRun | null> {
  const count = config.BENCH_SCALE_OUT
  if (count < 2) return null
  progress.phase(`throughput: end-to-end with ${count} ingest workers + ${count} aggregators (same backlog)`)
  const lane = await phase.lane(`x${count}`)
  const shape = { ingestWorkers: count, aggregators: count }
  const result = await endToEnd(config, lane, total, shape, progress, memory, { cpuIdleSeconds: CPU_IDLE_SECONDS })
  progress.done(`${Math.round(result.endToEndRate)} msg/s`)
  return result
}

/**
 * The steady-state drain (steady-cpu.ts): BENCH_STEADY_FACTOR - 1 backlogs more into the same
 * topics, drained 1+1 from a fresh lane, so it reads BENCH_STEADY_FACTOR x the first drain's
 * messages with the same start-up. Its memory is recorded (label `throughput-steady`): a peak
 * that grows with the backlog is a finding, not noise.
 */
async function steadyDrain(
  config: BenchConfig,
  phase: Phase,
  first: EndToEndRun,
  progress: Progress,
  memory: MemoryBook,
): Promise<ThroughputResult['steady']> {
  const factor = config.BENCH_STEADY_FACTOR
  if (factor < 2 || first.cpu === undefined || first.cpu === null) return null
  const messages = factor * config.BENCH_MESSAGES
  progress.phase(`throughput: steady state, producing ${messages - config.BENCH_MESSAGES} more messages`)
  const filled = await fill(config, phase, messages - config.BENCH_MESSAGES, progress)
  progress.done(`produced at ${Math.round(filled.rate)} msg/s`)
  progress.phase(`throughput: steady state, end-to-end over ${messages} messages (1+1, fresh lane)`)
  const lane = await phase.lane('steady')
  const run = await endToEnd(config, lane, messages, ONE_EACH, progress, memory, {
    label: 'throughput-steady',
    cpuIdleSeconds: CPU_IDLE_SECONDS,
  })
  progress.done(`${Math.round(run.endToEndRate)} msg/s`)
  return { run, messages, cpu: run.cpu === undefined || run.cpu === null ? null : steadyCpu(first.cpu, run.cpu) }
}

export async function runThroughput(config: BenchConfig, progress: Progress, memory: MemoryBook): Promise<ThroughputResult> {
  const total = config.BENCH_MESSAGES
  const phase = await createPhase(config, 'thr')
  let produceRate: number
  let rawRate: number
  let single: EndToEndRun
  let scaled: EndToEndRun | null
  let steady: ThroughputResult['steady']
  try {
    progress.phase(`throughput: producing a backlog of ${total} messages`)
    const filled = await fill(config, phase, total, progress)
    produceRate = filled.rate
    progress.done(`produced at ${Math.round(produceRate)} msg/s`)
    progress.phase('throughput: raw kafkajs consume + registry decode (ceiling)')
    rawRate = await rawConsumeRate(phase.kafka, Object.values(phase.topics), phase.groupId('raw'), filled.registry, total, progress)
    progress.done(`${Math.round(rawRate)} msg/s`)
    progress.phase('throughput: end-to-end (ingest-worker -> BullMQ -> aggregator -> PostgreSQL)')
    single = await endToEnd(config, phase, total, ONE_EACH, progress, memory, { cpuIdleSeconds: CPU_IDLE_SECONDS })
    progress.done(`${Math.round(single.endToEndRate)} msg/s`)
    scaled = await scaleOut(config, phase, total, progress, memory)
    steady = await steadyDrain(config, phase, single, progress, memory)
  } finally {
    await phase.cleanup()
  }
  const naiveTotal = config.BENCH_NAIVE_MESSAGES
  const naivePhase = await createPhase(config, 'nai')
  try {
    progress.phase(`throughput: naive baseline (1 job + 1 UPDATE per message), ${naiveTotal} messages`)
    const filled = await fill(config, naivePhase, naiveTotal, progress)
    const naive = await naiveRate(config, naivePhase, filled.registry, naiveTotal, progress)
    progress.done(`${Math.round(naive)} msg/s`)
    return {
      messages: total,
      produceRate,
      rawConsumeRate: rawRate,
      endToEndRate: single.endToEndRate,
      naiveMessages: naiveTotal,
      naiveRate: naive,
      pipeline: single.pipeline,
      cpu: single.cpu ?? null,
      scaleOut: scaled,
      steady,
    }
  } finally {
    await naivePhase.cleanup()
  }
}
