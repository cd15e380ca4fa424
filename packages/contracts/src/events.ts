/**
 * Domain events: what the ingest worker hands to the aggregator once a Kafka message
 * has been decoded and validated. Plain JSON (BullMQ stores jobs as JSON), so money is a
 * DecimalString and instants are epoch milliseconds.
 */
import type { DecimalString } from './decimal.js'

export const EVENT_STATUSES = ['ACTIVE', 'ENDED', 'ARCHIVED'] as const
export type EventStatus = (typeof EVENT_STATUSES)[number]

export const CHANNEL_TYPES = ['TV', 'SNS', 'VOICE'] as const
export type ChannelType = (typeof CHANNEL_TYPES)[number]

interface MessageEnvelope {
  /** UUID set by the producer; the idempotency key of exactly-once effects. */
  readonly messageId: string
  /** When it happened upstream, epoch milliseconds. */
  readonly occurredAt: number
  readonly eventId: string
}

export interface EventCreated extends MessageEnvelope {
  readonly kind: 'EventCreated'
  readonly userId: string
  readonly title: string
  readonly totalInvestment: DecimalString
  readonly expectedRevenue: DecimalString
  readonly expectedParticipants: number | null
  readonly targetRoi: DecimalString
  readonly salesGrowthRate: DecimalString | null
  /**
   * The schedule, epoch milliseconds (writer schema v2; absent or null from v1 writers). When
   * both are given, endsAt is after startsAt.
   */
  readonly startsAt?: number | null
  readonly endsAt?: number | null
}

export interface EventStatusChanged extends MessageEnvelope {
  readonly kind: 'EventStatusChanged'
  readonly status: EventStatus
}

export interface ChannelDistribution {
  readonly channelName: string
  readonly channelType: ChannelType
  readonly distributionCost: DecimalString
}

export interface DistributionCompleted extends MessageEnvelope {
  readonly kind: 'DistributionCompleted'
  readonly channels: readonly ChannelDistribution[]
}

export interface ParticipantRegistered extends MessageEnvelope {
  readonly kind: 'ParticipantRegistered'
  readonly participantId: string
  readonly channelName: string | null
}

export type DomainEvent = EventCreated | EventStatusChanged | DistributionCompleted | ParticipantRegistered
export type DomainEventKind = DomainEvent['kind']

/** Every kind, in topic order: the one list payload checks, metric labels and tools iterate. */
export const DOMAIN_EVENT_KINDS: readonly DomainEventKind[] = [
  'EventCreated',
  'EventStatusChanged',
  'DistributionCompleted',
  'ParticipantRegistered',
]
