/** Runs the selected phases, evaluates the targets and writes the JSON and BENCHMARKS.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { BenchConfig } from './config.js'
import { settingsOf } from './config.js'
import { describeMachine } from './machine.js'
import { MemoryBook } from './memory.js'
import { runApi } from './phases/api.js'
import { runClaimFloor } from './phases/claim-floor.js'
import { runCluster } from './phases/cluster.js'
import { runFanout } from './phases/fanout.js'
import { runRebuildBench } from './phases/rebuild.js'
import { renderFanoutSection, spliceFanoutSection } from './fanout-report.js'
import { FIXED_RATES } from './capacity.js'
import { runCapacity, runCapacityScaledOut } from './phases/capacity.js'
import { ONE_EACH, runThroughput } from './phases/throughput.js'
import { BENCHMARKS_MD, RESULTS_DIR } from './paths.js'
import type { Progress } from './progress.js'
import { renderSection, spliceSection } from './report.js'
import type { BenchResults } from './results.js'
import { evaluateTargets } from './targets.js'

async function attempt<T>(name: string, failures: string[], progress: Progress, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    failures.push(`${name}: ${message}`)
    progress.done(`FAILED: ${message}`)
    return null
  }
}

export async function runBench(config: BenchConfig, progress: Progress): Promise<BenchResults> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const memory = new MemoryBook()
  const failures: string[] = []
  const wants = (phase: string): boolean => config.BENCH_PHASES.includes(phase)
  const throughput = wants('throughput')
    ? await attempt('throughput', failures, progress, () => runThroughput(config, progress, memory))
    : null
  const claimFloor = wants('claim-floor')
    ? await attempt('claim-floor', failures, progress, () =>
        runClaimFloor(config, progress, throughput?.pipeline.aggregatorMessagesPerBatch ?? null),
      )
    : null
  const capacity = wants('freshness')
    ? await attempt('freshness', failures, progress, () => runCapacity(config, progress, memory, ONE_EACH, 'freshness'))
    : null
  const capacityScaleOut =
    wants('freshness') && config.BENCH_CAPACITY_SCALE_OUT && config.BENCH_SCALE_OUT >= 2
      ? await attempt('freshness-scale-out', failures, progress, () => runCapacityScaledOut(config, progress, memory))
      : null
  const api = wants('api') ? await attempt('api', failures, progress, () => runApi(config, progress, memory)) : null
  const fanout = wants('fanout') ? await attempt('fanout', failures, progress, () => runFanout(config, progress, memory)) : null
  const rebuild = wants('rebuild') ? await attempt('rebuild', failures, progress, () => runRebuildBench(config, progress, memory)) : null
  const cluster = wants('cluster') ? await attempt('cluster', failures, progress, () => runCluster(config, progress, memory)) : null
  const targets = evaluateTargets({
    e2eVsRaw: throughput === null ? null : throughput.endToEndRate / throughput.rawConsumeRate,
    e2eVsNaive: throughput === null ? null : throughput.endToEndRate / throughput.naiveRate,
    freshnessP99: capacity?.fixedRows.find((row) => row.targetRate === FIXED_RATES[0])?.latencyMs.p99 ?? null,
    sustainedRate: capacity?.sustainedRate ?? null,
    dashboardVsBare: api === null ? null : api.dashboard.requestsPerSec / api.bare.requestsPerSec,
    timelineP99: api?.timelineMs.p99 ?? null,
    rssIngest: memory.entries['ingest-worker']?.peakMb ?? null,
    rssAggregator: memory.entries.aggregator?.peakMb ?? null,
    rssQueryApi: memory.entries['query-api']?.peakMb ?? null,
    cpuPerEvent: throughput?.cpu?.totalMicrosPerEvent ?? null,
    applyVsClaimFloor:
      throughput?.cpu === undefined || throughput.cpu === null || claimFloor === null
        ? null
        : throughput.cpu.applyMicrosPerEvent / claimFloor.backendMicrosPerMessage,
  })
  return {
    command: 'pnpm bench',
    startedAt,
    durationSeconds: (performance.now() - started) / 1000,
    machine: describeMachine(),
    settings: settingsOf(config),
    throughput,
    claimFloor,
    capacity,
    capacityScaleOut,
    cluster,
    api,
    fanout,
    rebuild,
    memory: memory.entries,
    targets,
    failures,
  }
}

export function writeResults(results: BenchResults, config: BenchConfig): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const json = join(RESULTS_DIR, 'latest.json')
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`)
  if (config.BENCH_WRITE_MARKDOWN) {
    let document = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '# Benchmarks\n'
    // A run of the fan-out phase alone keeps the other phases' section as it was.
    const main = ['throughput', 'claim-floor', 'freshness', 'api'].some((phase) => config.BENCH_PHASES.includes(phase))
    if (main) document = spliceSection(document, renderSection(results))
    if (results.fanout !== null)
      document = spliceFanoutSection(document, renderFanoutSection(results.fanout, results.machine, results.startedAt))
    writeFileSync(BENCHMARKS_MD, document)
  }
  return json
}
