/** Shape of bench-results/latest.json and the input of the report. */
import type { FanoutResult } from './phases/fanout.js'
import type { LatencySummary } from './stats.js'
import type { TargetResult } from './targets.js'

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
}

export interface PipelineMetrics {
  drainSeconds: number
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

export interface HttpRun {
  requestsPerSec: number
  p50Ms: number
  p99Ms: number
  errors: number
  non2xx: number
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
}

export interface BenchResults {
  command: string
  startedAt: string
  durationSeconds: number
  machine: MachineInfo
  settings: Record<string, number | string>
  throughput: ThroughputResult | null
  /** Only when BENCH_PHASES names `cluster`. */
  cluster?: ClusterResult | null
  /** The last freshness attempt (the sustained one when any was). */
  freshness: FreshnessResult | null
  /** Every attempt, the target rate first, then halved rates while not sustained. */
  freshnessAttempts: FreshnessResult[]
  api: ApiResult | null
  /** Live-stream fan-out (phase `fanout`). */
  fanout: FanoutResult | null
  memory: Partial<Record<ServiceName, MemoryResult>>
  targets: TargetResult[]
  /** Phases that failed, with the error; their figures are missing. */
  failures: string[]
}
