/** Shape of bench-results/latest.json and the input of the report. */
import type { RebuildBenchResult } from './phases/rebuild.js'
import type { StopReason } from './capacity.js'
import type { FanoutResult } from './phases/fanout.js'
import type { LatencySummary } from './stats.js'
import type { TargetResult } from './targets.js'
import type { ClaimFloorResult, PipelineCpu } from './proc-cpu.js'
import type { SteadyCpu } from './steady-cpu.js'

export interface MachineInfo {
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
}

export interface ThroughputResult {
  /** Messages in the shared backlog read by the raw consumer and the real pipeline. */
  messages: number
  produceRate: number
  rawConsumeRate: number
  endToEndRate: number
  naiveMessages: number
  naiveRate: number
  /** From the services' /metrics after the end-to-end drain: where the time went. */
  pipeline: PipelineMetrics
  /** CPU per event of every process the 1+1 drain needs; absent or null when not measured. */
  cpu?: PipelineCpu | null
  /** The same backlog drained by BENCH_SCALE_OUT ingest workers + as many aggregators; null when off. */
  scaleOut: EndToEndRun | null
  /** The 1+1 drain of a backlog BENCH_STEADY_FACTOR times larger, and the marginal CPU per event between the two; null when off. */
  steady?: { run: EndToEndRun; messages: number; cpu: SteadyCpu | null } | null
}

/** One end-to-end drain of the throughput backlog by a pipeline of this shape. */
export interface EndToEndRun {
  ingestWorkers: number
  aggregators: number
  endToEndRate: number
  /** Summed over the instances' /metrics. */
  pipeline: PipelineMetrics
  /** CPU per event of every process the drain needs (throughput phase); absent or null when not measured. */
  cpu?: PipelineCpu | null
}

export interface PipelineMetrics {
  drainSeconds: number
  /** From the last message visible until the returning-participants fold emptied its log (null: not waited for). */
  foldSecondsAfterDrain: number | null
  aggregatorBatches: number
  aggregatorMessagesPerBatch: number
  /** Sum of batch transaction durations: busy time of PostgreSQL work in the aggregator. */
  aggregatorTransactionSeconds: number
  ingestJobs: number
}

/** End-to-end drain rates with the queue and cache on one Redis and on a Redis Cluster (phases/cluster.ts). */
export interface ClusterResult {
  messages: number
  masters: number
  singleRedisRate: number
  clusterRate: number
}

export interface FreshnessResult {
  targetRate: number
  achievedRate: number
  seconds: number
  /** The pipeline kept up: the backlog left when production stopped drained within a second. */
  sustained: boolean
  backlogAtEnd: number
  catchUpMs: number
  latencyMs: LatencySummary
}

/** One step of the capacity search (or a fixed-rate row the search did not reach). */
export interface CapacityStep extends FreshnessResult {
  /** 1-based, in the order run. */
  step: number
  /** False for a fixed-rate row run after the search: it informs, it does not steer. */
  search: boolean
  /** Kept up and p99 < 1 s. */
  passed: boolean
}

/** The freshness phase: the highest rate sustained with p99 < 1 s, and the fixed-rate rows. */
export interface CapacityResult {
  ingestWorkers: number
  aggregators: number
  /** Every step in the order run. */
  steps: CapacityStep[]
  /** The steps at the fixed rates (5k, 10k, 20k events/s), ascending. */
  fixedRows: CapacityStep[]
  /** Highest rate that passed; 0 when none did. */
  sustainedRate: number
  /** Lowest rate above it that failed (null: none tried). */
  firstFailedRate: number | null
  stoppedBy: StopReason
  /** Bisection stopped once first fail - last pass <= this % of the pass. */
  resolutionPercent: number
  stepSeconds: number
  fixedSeconds: number
  durationSeconds: number
}

export interface HttpRun {
  requestsPerSec: number
  p50Ms: number
  p99Ms: number
  errors: number
  non2xx: number
  /** utime + stime of the answering process over the run per request answered (null: /proc not readable). */
  cpuMicrosPerRequest: number | null
}

export interface ApiResult {
  connections: number
  seconds: number
  dashboard: HttpRun
  bare: HttpRun
  timelineRows: number
  timelineBuckets: number
  timelineMs: LatencySummary
  /** The same query through Kysely from the bench process, without HTTP. */
  timelineSqlMs: LatencySummary
}

export type ServiceName = 'ingest-worker' | 'aggregator' | 'query-api'

export interface MemoryResult {
  /** Highest VmHWM (kernel peak resident set) seen for any instance of the service, MiB. */
  peakMb: number
  /** In which phases it was sampled. */
  phases: string[]
  /** Each phase's own peak (the highest instance in it), MiB: which workload set `peakMb`. */
  peakMbByPhase: Record<string, number>
}

export interface BenchResults {
  command: string
  startedAt: string
  durationSeconds: number
  machine: MachineInfo
  settings: Record<string, number | string>
  throughput: ThroughputResult | null
  /** The claim statement alone (phase `claim-floor`); absent or null when it did not run. */
  claimFloor?: ClaimFloorResult | null
  /** Freshness capacity search with one ingest worker and one aggregator (phase `freshness`). */
  capacity: CapacityResult | null
  /** The same search with BENCH_SCALE_OUT of each (BENCH_CAPACITY_SCALE_OUT=true), else null. */
  capacityScaleOut: CapacityResult | null
  /** Phase `cluster`; absent or null when it did not run. */
  cluster?: ClusterResult | null
  api: ApiResult | null
  /** Live-stream fan-out (phase `fanout`). */
  fanout: FanoutResult | null
  /** Freshness alone and during a rebuild (phase `rebuild`); absent or null when it did not run. */
  rebuild?: RebuildBenchResult | null
  memory: Partial<Record<ServiceName, MemoryResult>>
  targets: TargetResult[]
  /** Phases that failed, with the error; their figures are missing. */
  failures: string[]
}
