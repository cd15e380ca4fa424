/** `@event-analytics/db/bench`: queries only `packages/bench` uses; no service imports these. */
export { naiveApplyEventCreated, naiveApplyParticipant } from './naive-baseline.js'
export type { NaiveEventCreated } from './naive-baseline.js'
export {
  seedBenchEvent,
  seedBenchChannels,
  seedBenchTimeline,
  seedBenchOlderClaims,
  resetBenchCurrentClaims,
  readBenchVisibleCounts,
  readBenchUnfoldedRegistrations,
  readBenchUpdateStats,
} from './bench-support.js'
export type { BenchSeedEvent, BenchTimelineRow, BenchVisibleCounts, BenchUpdateStats } from './bench-support.js'
export { readBenchBackends, readBackendPid } from './backends.js'
export type { BenchBackend } from './backends.js'
