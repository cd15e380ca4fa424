import type { DomainEventKind } from './events.js'

/** Default Kafka topic per domain event kind (docs/SPEC.md section 3); every name is configurable. */
export const DEFAULT_TOPICS: Readonly<Record<DomainEventKind, string>> = {
  EventCreated: 'event-created',
  EventStatusChanged: 'event-status-changed',
  DistributionCompleted: 'distribution-completed',
  ParticipantRegistered: 'participant-registered',
}

export const DEFAULT_DEAD_LETTER_TOPIC = 'analytics.dlq'

/** Schema Registry subject under TopicNameStrategy. */
export function valueSubject(topic: string): string {
  return `${topic}-value`
}
