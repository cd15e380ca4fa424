/** The performance targets (BENCHMARKS.md) and their pure evaluation (never test asserts). */

export type TargetId =
  | 'e2eVsRaw'
  | 'e2eVsNaive'
  | 'freshnessP99'
  | 'sustainedRate'
  | 'dashboardVsBare'
  | 'timelineP99'
  | 'rssIngest'
  | 'rssAggregator'
  | 'rssQueryApi'
  | 'cpuPerEvent'
  | 'applyVsClaimFloor'

export interface Target {
  readonly id: TargetId
  readonly label: string
  /** 'min': value must be >= threshold; 'max': value must be < threshold; 'atMost': <= threshold. */
  readonly kind: 'min' | 'max' | 'atMost'
  readonly threshold: number
  readonly unit: string
}

/**
 * Total pipeline CPU per event of the first measurement (BENCHMARKS.md, "CPU per event"): the
 * target is half of it.
 */
export const FIRST_CPU_PER_EVENT_MICROS = 51

export const TARGETS: readonly Target[] = [
  { id: 'e2eVsRaw', label: 'end-to-end / raw consume rate', kind: 'min', threshold: 0.5, unit: 'x' },
  { id: 'e2eVsNaive', label: 'end-to-end / naive pipeline rate', kind: 'min', threshold: 10, unit: 'x' },
  { id: 'freshnessP99', label: 'freshness p99 at 5,000 events/s (produce -> API)', kind: 'max', threshold: 1000, unit: 'ms' },
  // Capacity: the highest step of the search that kept up with p99 < 1 s.
  { id: 'sustainedRate', label: 'sustained rate with freshness p99 < 1 s', kind: 'min', threshold: 20_000, unit: 'events/s' },
  { id: 'dashboardVsBare', label: 'cached dashboard / bare route req/s', kind: 'min', threshold: 0.7, unit: 'x' },
  { id: 'timelineP99', label: 'uncached 1-year daily timeline p99', kind: 'max', threshold: 50, unit: 'ms' },
  // Per process, the highest over every phase and instance (scale-out runs included).
  { id: 'rssIngest', label: 'ingest-worker peak RSS', kind: 'max', threshold: 200, unit: 'MB' },
  { id: 'rssAggregator', label: 'aggregator peak RSS', kind: 'max', threshold: 200, unit: 'MB' },
  { id: 'rssQueryApi', label: 'query-api peak RSS', kind: 'max', threshold: 200, unit: 'MB' },
  // CPU time (/proc) is what the shared machine's load moves least; see cpu-report.ts for what is counted.
  {
    id: 'cpuPerEvent',
    label: 'pipeline CPU per event (all processes, Redis + Kafka net of idle)',
    kind: 'atMost',
    threshold: FIRST_CPU_PER_EVENT_MICROS / 2,
    unit: 'CPU-µs',
  },
  { id: 'applyVsClaimFloor', label: '(aggregator + its PostgreSQL backends) CPU / claim floor', kind: 'atMost', threshold: 2, unit: 'x' },
]

export type Verdict = 'pass' | 'miss' | 'not measured'

export interface TargetResult {
  readonly target: Target
  readonly value: number | null
  readonly verdict: Verdict
  /** How far off a miss is, e.g. "short by 0.12x (24%)"; null unless missed. */
  readonly missBy: string | null
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)
}

export function evaluateTarget(target: Target, value: number | null): TargetResult {
  if (value === null || !Number.isFinite(value)) return { target, value: null, verdict: 'not measured', missBy: null }
  const pass =
    target.kind === 'min' ? value >= target.threshold : target.kind === 'max' ? value < target.threshold : value <= target.threshold
  if (pass) return { target, value, verdict: 'pass', missBy: null }
  const gap = Math.abs(value - target.threshold)
  const percent = (gap / target.threshold) * 100
  const word = target.kind === 'min' ? 'short by' : 'over by'
  return { target, value, verdict: 'miss', missBy: `${word} ${round(gap)} ${target.unit} (${percent.toFixed(0)}%)` }
}

export function evaluateTargets(values: Partial<Record<TargetId, number | null>>): TargetResult[] {
  return TARGETS.map((target) => evaluateTarget(target, values[target.id] ?? null))
}

export function formatValue(result: TargetResult): string {
  return result.value === null ? '-' : `${round(result.value)} ${result.target.unit}`
}

export function formatThreshold(target: Target): string {
  const sign = { min: '>=', max: '<', atMost: '<=' }[target.kind]
  return `${sign} ${Number(target.threshold.toFixed(2))} ${target.unit}`
}
