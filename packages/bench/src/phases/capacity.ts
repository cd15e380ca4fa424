/**
 * The freshness phase as a capacity search: on one rig (fresh topics, database and services),
 * steps at rising rates find the highest one sustained with p99 < 1 s (capacity.ts decides
 * the rates), then the fixed rates the search did not reach are run as rows of their own.
 */
import { performance } from 'node:perf_hooks'
import { FIXED_RATES, bracket, failureReason, nextRate, passed, type SearchPlan, type StepOutcome, type StopReason } from '../capacity.js'
import type { BenchConfig } from '../config.js'
import type { MemoryBook } from '../memory.js'
import type { Progress } from '../progress.js'
import type { CapacityResult, CapacityStep, FreshnessResult } from '../results.js'
import { closeRig, openRig, runStep, type FreshnessRig } from './freshness.js'
import type { PipelineShape } from './throughput.js'

const outcome = (r: FreshnessResult): StepOutcome => ({ ...r, p99Ms: r.latencyMs.p99 })

function describe(step: CapacityStep): string {
  const l = step.latencyMs
  const verdict = step.passed ? 'PASS' : `FAIL (${failureReason(outcome(step)) ?? ''})`
  return (
    `step ${step.step}: ${step.targetRate} events/s -> achieved ${Math.round(step.achievedRate)}/s, ` +
    `catch-up ${Math.round(step.catchUpMs)} ms, p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms: ${verdict}`
  )
}

class StepRunner {
  readonly steps: CapacityStep[] = []

  constructor(
    private readonly config: BenchConfig,
    private readonly rig: FreshnessRig,
    private readonly label: string,
    private readonly progress: Progress,
  ) {}

  /** Fixed rates run for BENCH_FRESHNESS_SECONDS (more probes for their p99), the others for a step's time. */
  secondsFor(rate: number): number {
    return FIXED_RATES.includes(rate) ? this.config.BENCH_FRESHNESS_SECONDS : this.config.BENCH_CAPACITY_STEP_SECONDS
  }

  async run(rate: number, search: boolean): Promise<void> {
    const number = this.steps.length + 1
    const seconds = this.secondsFor(rate)
    this.progress.phase(`${this.label}: step ${number}${search ? '' : ' (fixed row)'}, ${rate} events/s for ${seconds} s`)
    const result = await runStep(this.rig, rate, seconds, this.progress)
    const step: CapacityStep = { ...result, step: number, search, passed: passed(outcome(result)) }
    this.steps.push(step)
    this.progress.done(describe(step))
  }
}

async function search(runner: StepRunner, config: BenchConfig, started: number): Promise<StopReason> {
  const plan: SearchPlan = {
    startRate: config.BENCH_CAPACITY_START_RATE,
    maxSteps: config.BENCH_CAPACITY_MAX_STEPS,
    resolution: config.BENCH_CAPACITY_RESOLUTION_PERCENT / 100,
  }
  for (;;) {
    const rate = nextRate(runner.steps.map(outcome), plan)
    if (rate === null) return runner.steps.length >= plan.maxSteps ? 'max steps' : 'resolution'
    const elapsed = (performance.now() - started) / 1000
    if (elapsed + runner.secondsFor(rate) > config.BENCH_CAPACITY_MAX_SECONDS) return 'time budget'
    await runner.run(rate, true)
  }
}

export async function runCapacity(
  config: BenchConfig,
  progress: Progress,
  memory: MemoryBook,
  shape: PipelineShape,
  label: string,
): Promise<CapacityResult> {
  const started = performance.now()
  const rig = await openRig(config, label, shape, progress)
  try {
    const runner = new StepRunner(config, rig, label, progress)
    const stoppedBy = await search(runner, config, started)
    // The fixed rows are part of the report whatever the search found (outside the time budget).
    for (const rate of FIXED_RATES) {
      if (!runner.steps.some((s) => s.targetRate === rate)) await runner.run(rate, false)
    }
    // Every step informs the answer: a fixed row the search had no time for may still pass.
    const { pass, fail } = bracket(runner.steps.map(outcome))
    progress.done(`${label}: sustained ${pass ?? 0} events/s with p99 < 1 s (search stopped: ${stoppedBy})`)
    return {
      ...shape,
      steps: runner.steps,
      fixedRows: FIXED_RATES.map((rate) => runner.steps.find((s) => s.targetRate === rate)).filter((s) => s !== undefined),
      sustainedRate: pass ?? 0,
      firstFailedRate: fail,
      stoppedBy,
      resolutionPercent: config.BENCH_CAPACITY_RESOLUTION_PERCENT,
      stepSeconds: config.BENCH_CAPACITY_STEP_SECONDS,
      fixedSeconds: config.BENCH_FRESHNESS_SECONDS,
      durationSeconds: (performance.now() - started) / 1000,
    }
  } finally {
    await closeRig(rig, label, memory)
  }
}

/** The same search with BENCH_SCALE_OUT ingest workers and as many aggregators. */
export async function runCapacityScaledOut(config: BenchConfig, progress: Progress, memory: MemoryBook): Promise<CapacityResult> {
  const count = config.BENCH_SCALE_OUT
  return runCapacity(config, progress, memory, { ingestWorkers: count, aggregators: count }, `freshness-${count}x${count}`)
}
