/** `@event-analytics/db/bench`: queries only `packages/bench` uses; no service imports these. */
export { naiveApplyEventCreated, naiveApplyParticipant } from './naive-baseline.js'
export type { NaiveEventCreated } from './naive-baseline.js'
export { seedBenchEvent, seedBenchChannels, seedBenchTimeline, seedBenchOlderClaims, readBenchVisibleCounts } from './bench-support.js'
export type { BenchSeedEvent, BenchTimelineRow, BenchVisibleCounts } from './bench-support.js'
