import { DEFAULT_KAFKA_BROKERS, DEFAULT_SCHEMA_REGISTRY_URL, DEFAULT_TOPICS, type DomainEventKind } from '@event-analytics/contracts'
import { env, loadConfig } from '@event-analytics/ops'

const shape = {
  KAFKA_BROKERS: env.list(DEFAULT_KAFKA_BROKERS),
  SCHEMA_REGISTRY_URL: env.url(DEFAULT_SCHEMA_REGISTRY_URL),
  TOPIC_EVENT_CREATED: env.string(DEFAULT_TOPICS.EventCreated),
  TOPIC_EVENT_STATUS_CHANGED: env.string(DEFAULT_TOPICS.EventStatusChanged),
  TOPIC_DISTRIBUTION_COMPLETED: env.string(DEFAULT_TOPICS.DistributionCompleted),
  TOPIC_PARTICIPANT_REGISTERED: env.string(DEFAULT_TOPICS.ParticipantRegistered),
}

export interface SimulatorConfig {
  readonly brokers: string[]
  readonly registryUrl: string
  readonly topics: Record<DomainEventKind, string>
}

/** Same variable names as the ingest worker, so one environment drives both. */
export function loadSimulatorConfig(source: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  const raw = loadConfig(shape, source)
  return {
    brokers: raw.KAFKA_BROKERS,
    registryUrl: raw.SCHEMA_REGISTRY_URL,
    topics: {
      EventCreated: raw.TOPIC_EVENT_CREATED,
      EventStatusChanged: raw.TOPIC_EVENT_STATUS_CHANGED,
      DistributionCompleted: raw.TOPIC_DISTRIBUTION_COMPLETED,
      ParticipantRegistered: raw.TOPIC_PARTICIPANT_REGISTERED,
    },
  }
}
