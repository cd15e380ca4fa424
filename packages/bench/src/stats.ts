/** Pure statistics over latency samples and progress observations. */

export interface LatencySummary {
  count: number
  min: number
  p50: number
  p99: number
  max: number
  mean: number
}

/** Nearest-rank percentile (p in 0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  if (p <= 0) return sorted[0] as number
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(rank, sorted.length) - 1] as number
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b)
  const total = sorted.reduce((sum, value) => sum + value, 0)
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
  }
}

/** (elapsed ms, cumulative items done) as polled while a backlog drains. */
export interface Observation {
  readonly atMs: number
  readonly done: number
}

/**
 * Steady drain rate in items/s: from the first observation that shows progress to the first
 * that shows everything done. Start-up (process boot, consumer-group join) happens before the
 * first progress and is excluded, the same way for every pipeline compared.
 */
export function drainRate(observations: readonly Observation[], total: number): number {
  const first = observations.find((o) => o.done > 0)
  const last = observations.find((o) => o.done >= total)
  if (first === undefined || last === undefined || last.atMs <= first.atMs) return Number.NaN
  return ((last.done - first.done) / (last.atMs - first.atMs)) * 1000
}
