export { createEventProducer, type EventProducer, type EventProducerOptions } from './producer.js'
export { scenarioEvents, scenarioPlan, resolveScenarioOptions, type ScenarioOptions, type ResolvedScenarioOptions } from './scenario.js'
export type { PlannedEvent, PlannedStatusChange } from './plan.js'
export { HOUR_MS } from './plan.js'
export {
  groundTruth,
  createGroundTruth,
  type GroundTruth,
  type GroundTruthBuilder,
  type EventTruth,
  type ChannelTruth,
  type HourTruth,
  type OwnerTruth,
} from './ground-truth.js'
export { CHANNEL_CATALOG, HOURLY_RHYTHM, RHYTHM_TIME_ZONE, localHour, rhythmWeight, type ChannelSpec } from './catalog.js'
export { createRandom, deterministicUuid, type Random } from './random.js'
export { loadSimulatorConfig, type SimulatorConfig } from './config.js'
