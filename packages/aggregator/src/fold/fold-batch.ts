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
import { utcHour } from '@event-analytics/db'
import { compareEventCreated, compareStatusChanges, earlierRegistration, greaterChannelType } from './order.js'

type ChannelType = ChannelDelta['channelType']

interface EventAcc {
  participants: number
  distributionCents: bigint
  created: EventCreated | null
  status: EventStatusChanged | null
  /** Epoch ms of the newest message of the event (the views' asOf). */
  lastOccurredAt: number
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

interface Accumulator {
  events: Map<string, EventAcc>
  channels: Map<string, ChannelAcc>
  timeline: Map<string, TimelineDelta & { participants: number }>
  /** By [eventId, participantId]: the earliest registration of the batch. */
  participations: Map<string, ParticipationDelta>
}

function eventAcc(acc: Accumulator, eventId: string): EventAcc {
  let found = acc.events.get(eventId)
  if (found === undefined) {
    found = { participants: 0, distributionCents: 0n, created: null, status: null, lastOccurredAt: 0 }
    acc.events.set(eventId, found)
  }
  return found
}

function channelAcc(acc: Accumulator, eventId: string, channelName: string): ChannelAcc {
  // JSON of the pair: no separator character can make two different pairs collide.
  const key = JSON.stringify([eventId, channelName])
  let found = acc.channels.get(key)
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
    acc.channels.set(key, found)
  }
  return found
}

function foldParticipant(acc: Accumulator, message: ParticipantRegistered): void {
  eventAcc(acc, message.eventId).participants += 1
  if (message.channelName !== null) {
    const channel = channelAcc(acc, message.eventId, message.channelName)
    channel.participants += 1
    channel.lastOccurredAt = Math.max(channel.lastOccurredAt, message.occurredAt)
    channel.lastParticipantAt = Math.max(channel.lastParticipantAt, message.occurredAt)
  }
  const participation = JSON.stringify([message.eventId, message.participantId])
  const known = acc.participations.get(participation)
  if (known === undefined || earlierRegistration(message, known)) {
    acc.participations.set(participation, {
      eventId: message.eventId,
      participantId: message.participantId,
      channelName: message.channelName,
      registeredAt: new Date(message.occurredAt),
    })
  }
  const hour = utcHour(message.occurredAt)
  const key = JSON.stringify([message.eventId, hour.getTime()])
  const bucket = acc.timeline.get(key)
  if (bucket === undefined) acc.timeline.set(key, { eventId: message.eventId, hour, participants: 1 })
  else bucket.participants += 1
}

function foldDistribution(acc: Accumulator, message: DistributionCompleted): void {
  const event = eventAcc(acc, message.eventId)
  for (const entry of message.channels) {
    const cents = parseDecimal(entry.distributionCost, 2)
    if (cents < 0n) throw new RangeError(`negative distributionCost ${entry.distributionCost} for ${entry.channelName}`)
    const channel = channelAcc(acc, message.eventId, entry.channelName)
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
      return foldParticipant(acc, message)
    case 'DistributionCompleted':
      return foldDistribution(acc, message)
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
  const acc: Accumulator = { events: new Map(), channels: new Map(), timeline: new Map(), participations: new Map() }
  for (const message of messages) foldOne(acc, message)
  return {
    events: [...acc.events].map(([eventId, event]) => toEventDelta(eventId, event)),
    channels: [...acc.channels.values()].map((channel) => ({
      eventId: channel.eventId,
      channelName: channel.channelName,
      channelType: channel.channelType,
      participants: channel.participants,
      distributionCount: channel.distributionCount,
      distributionCost: formatDecimal(channel.distributionCents, 2),
      lastOccurredAt: new Date(channel.lastOccurredAt),
      lastParticipantAt: channel.participants > 0 ? new Date(channel.lastParticipantAt) : null,
    })),
    timeline: [...acc.timeline.values()],
    participations: [...acc.participations.values()],
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
  const hours = new Map<number, Date>()
  for (const message of messages) {
    if (message.kind !== 'ParticipantRegistered') continue
    const hour = utcHour(message.occurredAt)
    hours.set(hour.getTime(), hour)
  }
  return [...hours.values()]
}

/** First occurrence of each messageId, in order: a batch may carry one message twice. */
export function uniqueByMessageId(messages: readonly DomainEvent[]): DomainEvent[] {
  const seen = new Set<string>()
  return messages.filter((message) => !seen.has(message.messageId) && seen.add(message.messageId) !== undefined)
}
