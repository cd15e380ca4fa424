/** Synthetic traffic: events, their creation and a stream of participants. */
import { randomUUID } from 'node:crypto'
import type { DomainEvent, EventCreated, ParticipantRegistered } from '@event-analytics/contracts'

export const CHANNELS = ['tv-main', 'sns-feed', 'voice-call'] as const

export function eventCreated(eventId: string, occurredAt = Date.now()): EventCreated {
  return {
    kind: 'EventCreated',
    messageId: randomUUID(),
    occurredAt,
    eventId,
    userId: 'bench-owner',
    title: `bench event ${eventId.slice(0, 8)}`,
    totalInvestment: '1500000.00',
    expectedRevenue: '3000000.00',
    expectedParticipants: 10_000,
    targetRoi: '100.00',
    salesGrowthRate: null,
  }
}

export function participant(eventId: string, index: number, occurredAt = Date.now()): ParticipantRegistered {
  return {
    kind: 'ParticipantRegistered',
    messageId: randomUUID(),
    occurredAt,
    eventId,
    participantId: randomUUID(),
    channelName: CHANNELS[index % CHANNELS.length] ?? null,
  }
}

/** `count` participants spread round-robin over `eventIds`, starting at `offset`. */
export function participants(eventIds: readonly string[], count: number, offset = 0): ParticipantRegistered[] {
  const now = Date.now()
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i
    return participant(eventIds[n % eventIds.length] as string, Math.floor(n / eventIds.length), now)
  })
}

/** A backlog of `total` messages: one EventCreated per event, the rest participants. */
export function backlog(eventIds: readonly string[], total: number): DomainEvent[] {
  const created = eventIds.map((id) => eventCreated(id))
  return [...created, ...participants(eventIds, Math.max(0, total - created.length))]
}

export function newEventIds(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID())
}
