import { randomUUID } from 'node:crypto'
import type { DomainEvent } from '@event-analytics/contracts'

/** A participant event; `valid: false` breaks a semantic rule (an over-long participant id). */
export function participant(eventId: string, valid = true): DomainEvent {
  return {
    kind: 'ParticipantRegistered',
    messageId: randomUUID(),
    occurredAt: Date.now() - 3_600_000,
    eventId,
    participantId: valid ? randomUUID() : 'p'.repeat(65),
    channelName: 'INSTAGRAM',
  }
}
