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
import { createPhase, type Phase } from '../isolation.js'
import type { MemoryBook } from '../memory.js'
import type { Progress } from '../progress.js'
import { RESULTS_DIR } from '../paths.js'
import { metricSum } from '../prom.js'
import type { PipelineMetrics, ThroughputResult } from '../results.js'
import { freePort, startService, type RunningService } from '../services.js'
import { drainRate, type Observation } from '../stats.js'
import { backlog, newEventIds } from '../workload.js'
import { observeDrain, produceAll } from './common.js'
import { naiveRate } from './naive.js'
import { rawConsumeRate } from './raw-consume.js'

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

export async function startPipeline(config: BenchConfig, phase: Phase, label: string, redis?: RedisPlacement): Promise<RunningService[]> {
  const ingestPort = await freePort()
  const aggregatorPort = await freePort()
  const ingest = await startService({
    pkg: 'ingest-worker',
    label: `${label}-ingest-worker`,
    env: placed(ingestEnv(config, phase, ingestPort), redis),
    unsetEnv: redis?.unset,
    readyUrl: `http://127.0.0.1:${ingestPort}/ready`,
  })
  try {
    const aggregator = await startService({
      pkg: 'aggregator',
      label: `${label}-aggregator`,
      env: placed(aggregatorEnv(config, phase, aggregatorPort), redis),
      unsetEnv: redis?.unset,
      readyUrl: `http://127.0.0.1:${aggregatorPort}/ready`,
    })
    return [ingest, aggregator]
  } catch (error) {
    await ingest.stop()
    throw error
  }
}

async function pipelineMetrics(
  label: string,
  ingest: RunningService,
  aggregator: RunningService,
  observations: readonly Observation[],
): Promise<PipelineMetrics> {
  const [ingestText, aggregatorText] = await Promise.all([ingest.metrics(), aggregator.metrics()])
  mkdirSync(join(RESULTS_DIR, 'logs'), { recursive: true })
  writeFileSync(join(RESULTS_DIR, 'logs', `${label}-ingest-worker.metrics.txt`), ingestText)
  writeFileSync(join(RESULTS_DIR, 'logs', `${label}-aggregator.metrics.txt`), aggregatorText)
  const batches = metricSum(aggregatorText, 'aggregator_batch_messages_count')
  const first = observations.find((o) => o.done > 0)
  const last = observations.at(-1)
  return {
    drainSeconds: first === undefined || last === undefined ? Number.NaN : (last.atMs - first.atMs) / 1000,
    aggregatorBatches: batches,
    aggregatorMessagesPerBatch: batches === 0 ? Number.NaN : metricSum(aggregatorText, 'aggregator_batch_messages_sum') / batches,
    aggregatorTransactionSeconds: metricSum(aggregatorText, 'aggregator_transaction_seconds_sum'),
    ingestJobs: metricSum(ingestText, 'ingest_jobs_enqueued_total'),
  }
}

/** The drain of `phase`'s backlog by the real pipeline; `label` names its logs and memory rows. */
export async function endToEnd(
  config: BenchConfig,
  phase: Phase,
  total: number,
  progress: Progress,
  memory: MemoryBook,
  label = 'throughput',
  redis?: RedisPlacement,
): Promise<{ rate: number; pipeline: PipelineMetrics }> {
  const db = createDb(phase.databaseUrl, { poolSize: 1, applicationName: 'bench-probe' })
  const [ingest, aggregator] = await startPipeline(config, phase, label, redis)
  try {
    const observations = await observeDrain(db, total, progress, 'end-to-end', 300_000)
    const pipeline = await pipelineMetrics(label, ingest as RunningService, aggregator as RunningService, observations)
    return { rate: drainRate(observations, total), pipeline }
  } finally {
    if (ingest !== undefined) await memory.record('ingest-worker', label, ingest)
    if (aggregator !== undefined) await memory.record('aggregator', label, aggregator)
    await Promise.all([ingest?.stop(), aggregator?.stop()])
    await closeDb(db)
  }
}

export async function runThroughput(config: BenchConfig, progress: Progress, memory: MemoryBook): Promise<ThroughputResult> {
  const total = config.BENCH_MESSAGES
  const phase = await createPhase(config, 'thr')
  let produceRate: number
  let rawRate: number
  let e2eRate: number
  let pipeline: PipelineMetrics
  try {
    progress.phase(`throughput: producing a backlog of ${total} messages`)
    const filled = await fill(config, phase, total, progress)
    produceRate = filled.rate
    progress.done(`produced at ${Math.round(produceRate)} msg/s`)
    progress.phase('throughput: raw kafkajs consume + registry decode (ceiling)')
    rawRate = await rawConsumeRate(phase.kafka, Object.values(phase.topics), phase.groupId('raw'), filled.registry, total, progress)
    progress.done(`${Math.round(rawRate)} msg/s`)
    progress.phase('throughput: end-to-end (ingest-worker -> BullMQ -> aggregator -> PostgreSQL)')
    ;({ rate: e2eRate, pipeline } = await endToEnd(config, phase, total, progress, memory))
    progress.done(`${Math.round(e2eRate)} msg/s`)
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
      endToEndRate: e2eRate,
      naiveMessages: naiveTotal,
      naiveRate: naive,
      pipeline,
    }
  } finally {
    await naivePhase.cleanup()
  }
}
