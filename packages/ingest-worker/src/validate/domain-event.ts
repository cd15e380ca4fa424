/** Turns a decoded Avro record into a typed DomainEvent, or names the field that breaks a rule. */
import {
  CHANNEL_TYPES,
  DecimalFormatError,
  EVENT_STATUSES,
  type ChannelDistribution,
  type DomainEvent,
  type DomainEventKind,
} from '@event-analytics/contracts'
import { reject, type MessageOutcome } from '../decode/outcome.js'
import {
  FieldViolation,
  MONEY,
  RATE,
  optionalCount,
  optionalDecimal,
  optionalSchedule,
  optionalText,
  requireDecimal,
  requireOccurredAt,
  requireOneOf,
  requireText,
} from './rules.js'

type Fields = Record<string, unknown>

export function validateRecord(kind: DomainEventKind, record: Fields, now: number): MessageOutcome {
  try {
    return { accepted: toDomainEvent(kind, record, now) }
  } catch (error) {
    if (error instanceof FieldViolation || error instanceof DecimalFormatError) {
      return reject('INVALID_FIELD', error.message)
    }
    throw error
  }
}

function toDomainEvent(kind: DomainEventKind, record: Fields, now: number): DomainEvent {
  const envelope = {
    // messageId is the dedupe key (varchar(64)); SPEC says UUID, longer ids are refused.
    messageId: requireText('messageId', record['messageId'], 1, 64),
    occurredAt: requireOccurredAt(record['occurredAt'], now),
    eventId: requireText('eventId', record['eventId'], 1, 36),
  }
  switch (kind) {
    case 'EventCreated':
      return {
        kind,
        ...envelope,
        userId: requireText('userId', record['userId'], 1, 36),
        title: requireText('title', record['title'], 1, 255),
        totalInvestment: requireDecimal('totalInvestment', record['totalInvestment'], MONEY),
        expectedRevenue: requireDecimal('expectedRevenue', record['expectedRevenue'], MONEY),
        expectedParticipants: optionalCount('expectedParticipants', record['expectedParticipants']),
        targetRoi: requireDecimal('targetRoi', record['targetRoi'], RATE),
        salesGrowthRate: optionalDecimal('salesGrowthRate', record['salesGrowthRate'], RATE),
        ...optionalSchedule(record['startsAt'], record['endsAt']),
      }
    case 'EventStatusChanged':
      return { kind, ...envelope, status: requireOneOf('status', record['status'], EVENT_STATUSES) }
    case 'DistributionCompleted':
      return { kind, ...envelope, channels: channelsOf(record['channels']) }
    case 'ParticipantRegistered':
      return {
        kind,
        ...envelope,
        participantId: requireText('participantId', record['participantId'], 1, 64),
        channelName: optionalText('channelName', record['channelName'], 1, 50),
      }
  }
}

function channelsOf(value: unknown): ChannelDistribution[] {
  if (!Array.isArray(value)) throw new FieldViolation('channels', 'must be an array')
  if (value.length < 1 || value.length > 50) {
    throw new FieldViolation('channels', `must have 1..50 entries, got ${value.length}`)
  }
  return value.map((entry: Fields, index) => ({
    channelName: requireText(`channels[${index}].channelName`, entry['channelName'], 1, 50),
    channelType: requireOneOf(`channels[${index}].channelType`, entry['channelType'], CHANNEL_TYPES),
    distributionCost: requireDecimal(`channels[${index}].distributionCost`, entry['distributionCost'], MONEY),
  }))
}
