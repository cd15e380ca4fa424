/**
 * The live path's freshness while a rebuild runs (docs/rebuild.md): on one freshness rig, a backlog
 * is produced and drained, then two steps at the same rate with probes timed from produce to the
 * API: one alone (the baseline), one while `pnpm run rebuild run` reads the whole log again into a
 * second projection set through its own ingest worker and aggregator (one process, started as the
 * step starts). Reports both latency summaries and how far and how fast the rebuild got.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '@event-analytics/ops/testing'
import type { BenchConfig } from '../config.js'
import { aggregatorEnv, ingestEnv } from '../env.js'
import type { MemoryBook } from '../memory.js'
import type { Progress } from '../progress.js'
import type { FreshnessResult } from '../results.js'
import { startService, type RunningService } from '../services.js'
import { closeRig, openRig, runStep, type FreshnessRig } from './freshness.js'
import { observeDrain, PRODUCE_CHUNK } from './common.js'
import { participants } from '../workload.js'
import { ONE_EACH } from './throughput.js'

const SET = 'bench_rebuild'
/** Sequence numbers of the backlog's participants, apart from the steps' (which count from 0). */
const BACKLOG_SEQUENCE = 1_000_000_000

export interface RebuildBenchResult {
  readonly rate: number
  readonly backlog: number
  /** Freshness at `rate` with no rebuild running. */
  readonly baseline: FreshnessResult
  /** The same, while the rebuild ran (from the step's start). */
  readonly duringRebuild: FreshnessResult
  /** Messages in the topics when the rebuild started (what it had to read). */
  readonly rebuildMessages: number
  /** Messages the rebuild had done when the step's production stopped. */
  readonly rebuildDoneAtStepEnd: number
  /** Seconds from the rebuild's start until it caught up with the live group (null: not within the wait). */
  readonly rebuildSeconds: number | null
}

/** A gauge's value from Prometheus text (the first sample of `name`). */
function gauge(text: string, name: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{`) || row.startsWith(`${name} `))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

async function startRebuildService(config: BenchConfig, rig: FreshnessRig): Promise<RunningService> {
  const port = await freePort()
  return startService({
    pkg: 'rebuild',
    entry: 'cli',
    args: ['run', '--set', SET],
    label: 'rebuild',
    env: { ...ingestEnv(config, rig.phase, 0), ...aggregatorEnv(config, rig.phase, 0), REBUILD_OPS_PORT: String(port) },
    readyUrl: `http://127.0.0.1:${port}/ready`,
  })
}

export async function runRebuildBench(config: BenchConfig, progress: Progress, memory: MemoryBook): Promise<RebuildBenchResult> {
  const rig = await openRig(config, 'rebuild', ONE_EACH, progress)
  let rebuild: RunningService | undefined
  try {
    progress.phase(`rebuild: a backlog of ${config.BENCH_REBUILD_BACKLOG} participants, drained by the live pipeline`)
    for (let sent = 0; sent < config.BENCH_REBUILD_BACKLOG; sent += PRODUCE_CHUNK) {
      const count = Math.min(PRODUCE_CHUNK, config.BENCH_REBUILD_BACKLOG - sent)
      await rig.load.send(participants(rig.eventIds, count, BACKLOG_SEQUENCE + sent))
      progress.update(`${sent + count} produced`)
    }
    rig.produced += config.BENCH_REBUILD_BACKLOG
    await observeDrain(rig.db, rig.produced, progress, 'backlog', 300_000)
    const rate = config.BENCH_REBUILD_RATE
    const seconds = config.BENCH_FRESHNESS_SECONDS
    progress.phase(`rebuild: baseline, ${rate} events/s for ${seconds} s, no rebuild`)
    const baseline = await runStep(rig, rate, seconds, progress)
    progress.done(`baseline: p50 ${baseline.latencyMs.p50.toFixed(0)} ms, p99 ${baseline.latencyMs.p99.toFixed(0)} ms`)
    const rebuildMessages = rig.produced
    progress.phase(`rebuild: ${rate} events/s for ${seconds} s while the rebuild reads ${rebuildMessages} messages again`)
    const started = performance.now()
    rebuild = await startRebuildService(config, rig)
    const service = rebuild
    let doneAtStepEnd = 0
    const duringRebuild = await runStep(rig, rate, seconds, progress).finally(async () => {
      doneAtStepEnd = gauge(await service.metrics(), 'rebuild_messages_done')
    })
    progress.done(`during the rebuild: p50 ${duringRebuild.latencyMs.p50.toFixed(0)} ms, p99 ${duringRebuild.latencyMs.p99.toFixed(0)} ms`)
    const rebuildSeconds = await caughtUp(service, started, 300_000)
    progress.done(`rebuild caught up after ${rebuildSeconds === null ? 'more than 300' : rebuildSeconds.toFixed(1)} s`)
    await memory.recordAll('rebuild', [service])
    return {
      rate,
      backlog: config.BENCH_REBUILD_BACKLOG,
      baseline,
      duringRebuild,
      rebuildMessages,
      rebuildDoneAtStepEnd: doneAtStepEnd,
      rebuildSeconds,
    }
  } finally {
    await rebuild?.stop()
    const admin = rig.phase.kafka.admin()
    await admin.connect()
    await admin.deleteTopics({ topics: [`${rig.phase.deadLetterTopic}.rebuild`] }).catch(() => undefined)
    await admin.disconnect()
    await closeRig(rig, 'rebuild-live', memory)
  }
}

async function caughtUp(service: RunningService, started: number, timeoutMs: number): Promise<number | null> {
  while (performance.now() - started < timeoutMs) {
    if (gauge(await service.metrics(), 'rebuild_caught_up') === 1) return (performance.now() - started) / 1000
    await sleep(250)
  }
  return null
}
