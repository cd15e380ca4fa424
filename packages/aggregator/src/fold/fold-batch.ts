/**
 * Pure folding: the fresh (never applied) messages of a batch become one typed write model,
 * one delta per event, per (event, channel) and per (event, UTC hour). No I/O here.
 */
import { formatDecimal, parseDecimal } from '@event-analytics/contracts'
import type {
  DistributionCompleted,
  DomainEvent,
  EventCreated,
  EventStatusChanged,
  ParticipantRegistered,
} from '@event-analytics/contracts'
import type { BatchWriteModel, ChannelDelta, EventDelta, ParticipationDelta, TimelineDelta } from '@event-analytics/db'
import { utcHourMs } from '@event-analytics/db'
import { compareEventCreated, compareStatusChanges, earlierRegistration, greaterChannelType } from './order.js'

type ChannelType = ChannelDelta['channelType']

interface EventAcc {
  participants: number
  distributionCents: bigint
  created: EventCreated | null
  status: EventStatusChanged | null
  /** Epoch ms of the newest message of the event (the views' asOf). */
  lastOccurredAt: number
  /** The event's channels by name. */
  channels: Map<string, ChannelAcc>
  /** Participants by UTC hour (its epoch ms). */
  hours: Map<number, TimelineDelta & { participants: number }>
  /** By participant: the earliest registration of the batch. */
  participations: Map<string, ParticipationDelta>
}

interface ChannelAcc {
  eventId: string
  channelName: string
  channelType: ChannelType
  participants: number
  distributionCount: number
  distributionCents: bigint
  lastOccurredAt: number
  /** Epoch ms of the newest participant (0: none in the batch). */
  lastParticipantAt: number
}

/**
 * By event; each event holds its own channels, hours and participations, so a message costs one
 * lookup per level and builds no composite key.
 */
type Accumulator = Map<string, EventAcc>

function eventAcc(acc: Accumulator, eventId: string): EventAcc {
  let found = acc.get(eventId)
  if (found === undefined) {
    found = {
      participants: 0,
      distributionCents: 0n,
      created: null,
      status: null,
      lastOccurredAt: 0,
      channels: new Map(),
      hours: new Map(),
      participations: new Map(),
    }
    acc.set(eventId, found)
  }
  return found
}

function channelAcc(event: EventAcc, eventId: string, channelName: string): ChannelAcc {
  let found = event.channels.get(channelName)
  if (found === undefined) {
    found = {
      eventId,
      channelName,
      channelType: null,
      participants: 0,
      distributionCount: 0,
      distributionCents: 0n,
      lastOccurredAt: 0,
      lastParticipantAt: 0,
    }
    event.channels.set(channelName, found)
  }
  return found
}

function foldParticipant(event: EventAcc, message: ParticipantRegistered): void {
  event.participants += 1
  if (message.channelName !== null) {
    const channel = channelAcc(event, message.eventId, message.channelName)
    channel.participants += 1
    channel.lastOccurredAt = Math.max(channel.lastOccurredAt, message.occurredAt)
    channel.lastParticipantAt = Math.max(channel.lastParticipantAt, message.occurredAt)
  }
  const known = event.participations.get(message.participantId)
  if (known === undefined || earlierRegistration(message, known)) {
    event.participations.set(message.participantId, {
      eventId: message.eventId,
      participantId: message.participantId,
      channelName: message.channelName,
      registeredAt: new Date(message.occurredAt),
    })
  }
  const hourMs = utcHourMs(message.occurredAt)
  const bucket = event.hours.get(hourMs)
  if (bucket === undefined) event.hours.set(hourMs, { eventId: message.eventId, hour: new Date(hourMs), participants: 1 })
  else bucket.participants += 1
}

function foldDistribution(event: EventAcc, message: DistributionCompleted): void {
  for (const entry of message.channels) {
    const cents = parseDecimal(entry.distributionCost, 2)
    if (cents < 0n) throw new RangeError(`negative distributionCost ${entry.distributionCost} for ${entry.channelName}`)
    const channel = channelAcc(event, message.eventId, entry.channelName)
    channel.distributionCount += 1
    channel.distributionCents += cents
    channel.channelType = greaterChannelType(channel.channelType, entry.channelType)
    channel.lastOccurredAt = Math.max(channel.lastOccurredAt, message.occurredAt)
    event.distributionCents += cents
  }
}

function foldOne(acc: Accumulator, message: DomainEvent): void {
  const event = eventAcc(acc, message.eventId)
  event.lastOccurredAt = Math.max(event.lastOccurredAt, message.occurredAt)
  switch (message.kind) {
    case 'ParticipantRegistered':
      return foldParticipant(event, message)
    case 'DistributionCompleted':
      return foldDistribution(event, message)
    case 'EventCreated': {
      // Parsing here (not only in SQL) makes a malformed decimal fail in the fold, with its message.
      compareEventCreated(message, message)
      if (event.created === null || compareEventCreated(message, event.created) > 0) event.created = message
      return
    }
    case 'EventStatusChanged': {
      if (event.status === null || compareStatusChanges(message, event.status) > 0) event.status = message
      return
    }
    default:
      throw new TypeError(`unknown message kind ${(message as { kind: unknown }).kind as string}`)
  }
}

function toEventDelta(eventId: string, acc: EventAcc): EventDelta {
  const { created, status } = acc
  return {
    eventId,
    participants: acc.participants,
    distributionCost: formatDecimal(acc.distributionCents, 2),
    created:
      created === null
        ? null
        : {
            occurredAt: new Date(created.occurredAt),
            userId: created.userId,
            title: created.title,
            ownInvestment: created.totalInvestment,
            expectedRevenue: created.expectedRevenue,
            expectedParticipants: created.expectedParticipants,
            targetRoi: created.targetRoi,
            salesGrowthRate: created.salesGrowthRate,
            startsAt: instantOrNull(created.startsAt),
            endsAt: instantOrNull(created.endsAt),
          },
    status: status === null ? null : { status: status.status, occurredAt: new Date(status.occurredAt) },
    lastOccurredAt: new Date(acc.lastOccurredAt),
  }
}

function instantOrNull(epochMs: number | null | undefined): Date | null {
  return epochMs === null || epochMs === undefined ? null : new Date(epochMs)
}

/** Folds messages that are all to be applied (the caller dropped duplicates already). */
export function foldBatch(messages: readonly DomainEvent[]): BatchWriteModel {
  const acc: Accumulator = new Map()
  for (const message of messages) foldOne(acc, message)
  const events = [...acc]
  return {
    events: events.map(([eventId, event]) => toEventDelta(eventId, event)),
    channels: events.flatMap(([, event]) =>
      [...event.channels.values()].map((channel) => ({
        eventId: channel.eventId,
        channelName: channel.channelName,
        channelType: channel.channelType,
        participants: channel.participants,
        distributionCount: channel.distributionCount,
        distributionCost: formatDecimal(channel.distributionCents, 2),
        lastOccurredAt: new Date(channel.lastOccurredAt),
        lastParticipantAt: channel.participants > 0 ? new Date(channel.lastParticipantAt) : null,
      })),
    ),
    timeline: events.flatMap(([, event]) => [...event.hours.values()]),
    participations: events.flatMap(([, event]) => [...event.participations.values()]),
  }
}

/**
 * Adds to each event of `model` the earliest ingest read time among its `messages` (the ones
 * folded into it) that `readAt` knows: the commit minus it is the longest any of them took
 * through the pipeline. Events none of whose messages has a read time get none.
 */
export function withIngestReadAt(
  model: BatchWriteModel,
  messages: readonly DomainEvent[],
  readAt: ReadonlyMap<string, number>,
): BatchWriteModel {
  if (readAt.size === 0) return model
  const earliest = new Map<string, number>()
  for (const message of messages) {
    const at = readAt.get(message.messageId)
    if (at === undefined) continue
    const known = earliest.get(message.eventId)
    if (known === undefined || at < known) earliest.set(message.eventId, at)
  }
  return {
    ...model,
    events: model.events.map((event) => {
      const at = earliest.get(event.eventId)
      return at === undefined ? event : { ...event, ingestReadAt: new Date(at) }
    }),
  }
}

/** The UTC hours a batch may write timeline buckets for (to ensure their partitions first). */
export function timelineHours(messages: readonly DomainEvent[]): Date[] {
  const hours = new Set<number>()
  for (const message of messages) if (message.kind === 'ParticipantRegistered') hours.add(utcHourMs(message.occurredAt))
  return [...hours].map((hourMs) => new Date(hourMs))
}

/** First occurrence of each messageId, in order: a batch may carry one message twice. */
export function uniqueByMessageId(messages: readonly DomainEvent[]): DomainEvent[] {
  const seen = new Set<string>()
  return messages.filter((message) => !seen.has(message.messageId) && seen.add(message.messageId) !== undefined)
}
