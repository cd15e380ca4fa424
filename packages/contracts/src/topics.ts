import type { DomainEventKind } from './events.js'

/** Default Kafka topic per domain event kind (docs/SPEC.md section 3); every name is configurable. */
export const DEFAULT_TOPICS: Readonly<Record<DomainEventKind, string>> = {
  EventCreated: 'event-created',
  EventStatusChanged: 'event-status-changed',
  DistributionCompleted: 'distribution-completed',
  ParticipantRegistered: 'participant-registered',
}

export const DEFAULT_DEAD_LETTER_TOPIC = 'analytics.dlq'

/**
 * Header a rebuild's ingest worker adds to its dead letters: the projection set it fills
 * (docs/rebuild.md). The live pipeline's letters have none.
 */
export const PROJECTION_SET_HEADER = 'x-projection-set'

/** Where a rebuild's dead letters go unless the operator asks for the live topic: apart from the live consumers. */
export function rebuildDeadLetterTopic(liveTopic: string): string {
  return `${liveTopic}.rebuild`
}

/** Schema Registry subject under TopicNameStrategy. */
export function valueSubject(topic: string): string {
  return `${topic}-value`
}
