/**
 * The capacity search's pure decisions: whether a freshness step passed, which rate to try
 * next, and what the search found. The phase (phases/capacity.ts) only runs the steps.
 */

/** What one step measured, as far as the search cares. */
export interface StepOutcome {
  readonly targetRate: number
  readonly achievedRate: number
  readonly catchUpMs: number
  readonly p99Ms: number
}

/** Rates reported as rows of their own whatever the search finds (the targets' 5k, 10k, 20k). */
export const FIXED_RATES: readonly number[] = [5_000, 10_000, 20_000]

/** p99 produce -> API below this, in ms, for a step to pass. */
export const FRESHNESS_BOUND_MS = 1000

/**
 * Kept up = the load generator reached >= 95 % of the rate and the backlog left when it stopped
 * was visible within 1 s. Below 95 % the rate was not really offered, so nothing is known.
 */
export function keptUp(step: Pick<StepOutcome, 'targetRate' | 'achievedRate' | 'catchUpMs'>): boolean {
  return step.achievedRate >= step.targetRate * 0.95 && step.catchUpMs < 1000
}

/** A step passes when it kept up and its p99 was under the bound (NaN, no probe, fails). */
export function passed(step: StepOutcome): boolean {
  return keptUp(step) && step.p99Ms < FRESHNESS_BOUND_MS
}

export interface SearchPlan {
  readonly startRate: number
  readonly maxSteps: number
  /** Stop bisecting once (first fail - last pass) <= this fraction of the last pass. */
  readonly resolution: number
}

/** Rates are rounded to this many events/s so bisection does not chase noise. */
const RATE_GRAIN = 100

function roundRate(rate: number): number {
  return Math.max(RATE_GRAIN, Math.round(rate / RATE_GRAIN) * RATE_GRAIN)
}

/** The highest passing rate, and the lowest failing rate above it (null when none). */
export function bracket(steps: readonly StepOutcome[]): { pass: number | null; fail: number | null } {
  const passes = steps.filter(passed).map((s) => s.targetRate)
  const pass = passes.length === 0 ? null : Math.max(...passes)
  const fails = steps.filter((s) => !passed(s) && (pass === null || s.targetRate > pass)).map((s) => s.targetRate)
  return { pass, fail: fails.length === 0 ? null : Math.min(...fails) }
}

/**
 * Next rate to try, or null when the search is over: double while every step passes, halve
 * while every step fails, then bisect between the last pass and the first fail until they are
 * within `resolution` of each other. Never more than `maxSteps` steps, never a rate twice.
 * Assumes a rate that fails would fail at any higher rate (the pipeline has one bottleneck).
 */
export function nextRate(steps: readonly StepOutcome[], plan: SearchPlan): number | null {
  if (steps.length >= plan.maxSteps) return null
  if (steps.length === 0) return plan.startRate
  const { pass, fail } = bracket(steps)
  let next: number
  if (fail === null) next = (pass as number) * 2
  else if (pass === null) next = roundRate(fail / 2)
  else if (fail - pass <= pass * plan.resolution) return null
  else next = roundRate((pass + fail) / 2)
  if (next === pass || next === fail || steps.some((s) => s.targetRate === next)) return null
  return next
}

/** Why the search stopped, for the report. */
export type StopReason = 'resolution' | 'max steps' | 'time budget'

/** Why a step failed, in words for progress and report; null when it passed. */
export function failureReason(step: StepOutcome): string | null {
  if (step.achievedRate < step.targetRate * 0.95) return 'load generator below 95 % of the rate'
  if (step.catchUpMs >= 1000) return 'backlog not drained within 1 s'
  if (!(step.p99Ms < FRESHNESS_BOUND_MS)) return Number.isNaN(step.p99Ms) ? 'no probe completed' : 'p99 >= 1 s'
  return null
}
