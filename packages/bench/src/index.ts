export { percentile, summarize, drainRate, type LatencySummary, type Observation } from './stats.js'
export { TARGETS, evaluateTarget, evaluateTargets, type Target, type TargetId, type TargetResult, type Verdict } from './targets.js'
export { renderSection, renderTargetTable, renderConsoleTable, spliceSection, BEGIN_MARKER, END_MARKER } from './report.js'
export { parseCpuModel, describeMachine } from './machine.js'
export { parseProcStatus, readProcMemory } from './rss.js'
export { loadBenchConfig, type BenchConfig } from './config.js'
export { runBench, writeResults } from './run.js'
export type * from './results.js'
export {
  FIXED_RATES,
  bracket,
  failureReason,
  keptUp,
  nextRate,
  passed,
  type SearchPlan,
  type StepOutcome,
  type StopReason,
} from './capacity.js'
export {
  parseProcStat,
  parseRedisProcessId,
  cpuRows,
  sharedCpu,
  pipelineCpu,
  median,
  type ProcCpu,
  type CpuTrack,
  type CpuRow,
  type SharedCpu,
  type PipelineCpu,
  type ClaimFloorResult,
} from './proc-cpu.js'
export { renderCpuSection } from './cpu-report.js'
export { steadyCpu, type SteadyCpu, type SteadyRow } from './steady-cpu.js'
