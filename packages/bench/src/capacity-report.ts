/** Pure rendering of the freshness phase's capacity search for BENCHMARKS.md. */
import { failureReason } from './capacity.js'
import type { CapacityResult, CapacityStep } from './results.js'

const int = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-')
const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-')

function keptUpCell(step: CapacityStep): string {
  if (step.sustained) return 'yes'
  return `no (backlog ${int(step.backlogAtEnd)} at stop, drained in ${ms(step.catchUpMs)})`
}

function resultCell(step: CapacityStep): string {
  if (step.passed) return 'pass'
  const reason = failureReason({ ...step, p99Ms: step.latencyMs.p99 }) ?? ''
  return `fail: ${reason}`
}

function stepRow(step: CapacityStep): string {
  const l = step.latencyMs
  const name = step.search ? String(step.step) : `${step.step} (fixed row)`
  return `| ${name} | ${int(step.targetRate)} | ${int(step.achievedRate)} | ${keptUpCell(step)} | ${l.count} | ${ms(l.p50)} | ${ms(l.p99)} | ${resultCell(step)} |`
}

function fixedRow(step: CapacityStep): string {
  const l = step.latencyMs
  return `| ${int(step.targetRate)} | ${int(step.achievedRate)} | ${step.sustained ? 'yes' : 'no'} | ${l.count} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} |`
}

function answer(c: CapacityResult): string {
  const shape = `${c.ingestWorkers} ingest worker${c.ingestWorkers === 1 ? '' : 's'} + ${c.aggregators} aggregator${c.aggregators === 1 ? '' : 's'}`
  const stop = `The search stopped on: ${c.stoppedBy} (${Math.round(c.durationSeconds)} s in all).`
  if (c.sustainedRate === 0) {
    const lowest = Math.min(...c.steps.map((s) => s.targetRate))
    return `${shape}: no step passed (the lowest rate tried was ${int(lowest)} events/s). ${stop}`
  }
  const above = c.firstFailedRate === null ? 'no failing rate above it was tried' : `${int(c.firstFailedRate)} events/s failed`
  return `${shape}: **${int(c.sustainedRate)} events/s** sustained with p99 < 1 s; ${above}. ${stop}`
}

/** The capacity table (every step in order), then the fixed-rate rows. */
export function renderCapacity(c: CapacityResult): string[] {
  return [
    answer(c),
    '',
    '| step | target events/s | achieved | kept up | probes | p50 | p99 | result |',
    '|---|---|---|---|---|---|---|---|',
    ...c.steps.map(stepRow),
    '',
    `Fixed rates (${c.fixedSeconds} s each; a search step when the search reached the rate):`,
    '',
    '| target events/s | achieved | kept up | probes | p50 | p99 | max |',
    '|---|---|---|---|---|---|---|',
    ...c.fixedRows.map(fixedRow),
  ]
}

export function renderFreshnessSection(capacity: CapacityResult | null, scaleOut: CapacityResult | null): string[] {
  if (capacity === null) return ['_Freshness phase not run, or it failed (see the failed phases under Targets)._']
  return [
    `A step search for the highest rate the pipeline sustains with freshness p99 < 1 s: it starts at ${int(capacity.steps[0]?.targetRate ?? Number.NaN)} events/s, doubles while steps pass (halves while they fail), then bisects between the last pass and the first fail to ${capacity.resolutionPercent} %, within a bounded number of steps and time. A step passes when it kept up (the load generator reached >= 95 % of the rate and the backlog left at stop was visible within 1 s) and its p99 was under 1 s. One set of topics, database and services serves every step; each step starts once the previous step's backlog is visible in PostgreSQL. Steps at a fixed rate last ${capacity.fixedSeconds} s, the others ${capacity.stepSeconds} s. Probe participants for a dedicated event are produced one at a time and the dashboard endpoint of the running query-api is polled every 20 ms until it shows them; p99 over a few dozen probes is close to their maximum.`,
    '',
    ...renderCapacity(capacity),
    ...(scaleOut === null
      ? []
      : [
          '',
          'The same search with the workers scaled out (separate processes, one consumer group, one queue):',
          '',
          ...renderCapacity(scaleOut),
        ]),
  ]
}
