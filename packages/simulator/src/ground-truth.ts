/**
 * The reference figures: what the system must show after consuming a set of produced
 * messages. Written from docs/SPEC.md sections 3, 4 and 6 alone (not from the aggregator's SQL),
 * with plain maps and exact decimals, so it can judge the pipeline end to end.
 */
import {
  divideHalfUp,
  formatDecimal,
  parseDecimal,
  type DomainEvent,
  type EventCreated,
  type EventStatus,
} from '@event-analytics/contracts'
import { HOUR_MS } from './plan.js'

export interface EventTruth {
  eventId: string
  /** EventCreated seen: the API shows the event. */
  visible: boolean
  userId: string | null
  title: string | null
  status: EventStatus
  statusChangedAt: number | null
  createdAt: number | null
  ownInvestment: string
  distributionCost: string
  totalInvestment: string
  expectedRevenue: string
  expectedParticipants: number | null
  estimatedRevenue: string
  estimatedRoi: string
  targetRoi: string
  roiAchievementRate: string | null
  salesGrowthRate: string | null
  totalParticipants: number
}

export interface ChannelTruth {
  eventId: string
  channelName: string
  /** null until a distribution names the channel (participants may name it first). */
  channelType: string | null
  participants: number
  distributionCount: number
  distributionCost: string
  costPerParticipant: string | null
}

export interface HourTruth {
  eventId: string
  /** Start of the UTC hour, epoch ms. */
  hour: number
  participants: number
  cumulativeParticipants: number
}

export interface OwnerTruth {
  userId: string
  events: number
  totalParticipants: number
  totalInvestment: string
  expectedRevenue: string
  estimatedRevenue: string
  estimatedRoi: string
  channelTypes: { channelType: string | null; channels: number; participants: number; distributionCost: string }[]
}

export interface GroundTruth {
  messages: { sent: number; unique: number; duplicates: number }
  /** Sorted by eventId; channels by (eventId, channelName); timeline by (eventId, hour). */
  events: EventTruth[]
  channels: ChannelTruth[]
  timeline: HourTruth[]
  /** Owners of visible events, sorted by userId. */
  owners: OwnerTruth[]
}

const SCALE = 2
const cents = (text: string): bigint => parseDecimal(text, SCALE)
const text = (unscaled: bigint): string => formatDecimal(unscaled, SCALE)
/** Percent with two decimals: x 100 for percent, x 100 for the scale. */
const PERCENT = 10_000n
const STATUS_ORDER: Readonly<Record<EventStatus, number>> = { ACTIVE: 0, ENDED: 1, ARCHIVED: 2 }
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

interface EventState {
  created: EventCreated | null
  status: { status: EventStatus; occurredAt: number } | null
  participants: number
  distributionCost: bigint
  hours: Map<number, number>
  channels: Map<string, { type: string | null; participants: number; count: number; cost: bigint }>
}

export interface GroundTruthBuilder {
  add(event: DomainEvent): void
  result(): GroundTruth
}

/** Incremental, for producers that run for a long time; `groundTruth` for a list. */
export function createGroundTruth(): GroundTruthBuilder {
  const seen = new Set<string>()
  const states = new Map<string, EventState>()
  let sent = 0
  return {
    add(event) {
      sent += 1
      if (seen.has(event.messageId)) return
      seen.add(event.messageId)
      let state = states.get(event.eventId)
      if (state === undefined) {
        state = { created: null, status: null, participants: 0, distributionCost: 0n, hours: new Map(), channels: new Map() }
        states.set(event.eventId, state)
      }
      apply(state, event)
    },
    result: () => summarise(states, sent, seen.size),
  }
}

export function groundTruth(events: Iterable<DomainEvent>): GroundTruth {
  const builder = createGroundTruth()
  for (const event of events) builder.add(event)
  return builder.result()
}

function channelOf(state: EventState, name: string) {
  let channel = state.channels.get(name)
  if (channel === undefined) {
    channel = { type: null, participants: 0, count: 0, cost: 0n }
    state.channels.set(name, channel)
  }
  return channel
}

function apply(state: EventState, event: DomainEvent): void {
  switch (event.kind) {
    case 'EventCreated':
      // Latest occurredAt wins; the scenarios never send two different EventCreated at one instant.
      if (state.created === null || event.occurredAt > state.created.occurredAt) state.created = event
      return
    case 'EventStatusChanged': {
      const current = state.status
      const newer =
        current === null ||
        event.occurredAt > current.occurredAt ||
        (event.occurredAt === current.occurredAt && STATUS_ORDER[event.status] > STATUS_ORDER[current.status])
      if (newer) state.status = { status: event.status, occurredAt: event.occurredAt }
      return
    }
    case 'DistributionCompleted':
      for (const run of event.channels) {
        const channel = channelOf(state, run.channelName)
        channel.count += 1
        channel.cost += cents(run.distributionCost)
        // Channels never change type in the scenarios; if they did, the greatest name is kept.
        if (channel.type === null || run.channelType > channel.type) channel.type = run.channelType
        state.distributionCost += cents(run.distributionCost)
      }
      return
    case 'ParticipantRegistered': {
      state.participants += 1
      const hour = Math.floor(event.occurredAt / HOUR_MS) * HOUR_MS
      state.hours.set(hour, (state.hours.get(hour) ?? 0) + 1)
      if (event.channelName !== null) channelOf(state, event.channelName).participants += 1
      return
    }
  }
}

function summarise(states: Map<string, EventState>, sent: number, unique: number): GroundTruth {
  const ids = [...states.keys()].sort(byText)
  const events = ids.map((id) => eventTruth(id, states.get(id)!))
  const channels: ChannelTruth[] = []
  const timeline: HourTruth[] = []
  for (const id of ids) {
    const state = states.get(id)!
    for (const name of [...state.channels.keys()].sort(byText)) {
      const channel = state.channels.get(name)!
      channels.push({
        eventId: id,
        channelName: name,
        channelType: channel.type,
        participants: channel.participants,
        distributionCount: channel.count,
        distributionCost: text(channel.cost),
        costPerParticipant: channel.participants === 0 ? null : text(divideHalfUp(channel.cost, BigInt(channel.participants))),
      })
    }
    let cumulative = 0
    for (const hour of [...state.hours.keys()].sort((a, b) => a - b)) {
      const participants = state.hours.get(hour)!
      cumulative += participants
      timeline.push({ eventId: id, hour, participants, cumulativeParticipants: cumulative })
    }
  }
  return { messages: { sent, unique, duplicates: sent - unique }, events, channels, timeline, owners: ownerTruths(events, channels) }
}

function eventTruth(eventId: string, state: EventState): EventTruth {
  const created = state.created
  const own = created === null ? 0n : cents(created.totalInvestment)
  const investment = own + state.distributionCost
  const expectedRevenue = created === null ? 0n : cents(created.expectedRevenue)
  const expectedParticipants = created?.expectedParticipants ?? null
  const revenue =
    expectedParticipants !== null && expectedParticipants > 0
      ? divideHalfUp(expectedRevenue * BigInt(state.participants), BigInt(expectedParticipants))
      : expectedRevenue
  const roi = roiOf(revenue, investment)
  const target = created === null ? 0n : cents(created.targetRoi)
  return {
    eventId,
    visible: created !== null,
    userId: created?.userId ?? null,
    title: created?.title ?? null,
    status: state.status?.status ?? 'ACTIVE',
    statusChangedAt: state.status?.occurredAt ?? null,
    createdAt: created?.occurredAt ?? null,
    ownInvestment: text(own),
    distributionCost: text(state.distributionCost),
    totalInvestment: text(investment),
    expectedRevenue: text(expectedRevenue),
    expectedParticipants,
    estimatedRevenue: text(revenue),
    estimatedRoi: text(roi),
    targetRoi: text(target),
    roiAchievementRate: target === 0n ? null : text(divideHalfUp(roi * PERCENT, target)),
    salesGrowthRate: created?.salesGrowthRate == null ? null : text(cents(created.salesGrowthRate)),
    totalParticipants: state.participants,
  }
}

/** (revenue - investment) / investment x 100, half-up; 0 without investment (docs/SPEC.md section 6). */
function roiOf(revenue: bigint, investment: bigint): bigint {
  return investment === 0n ? 0n : divideHalfUp((revenue - investment) * PERCENT, investment)
}

/** Each owner's portfolio over their visible events: sums, and the SPEC ROI of the sums. */
function ownerTruths(events: readonly EventTruth[], channels: readonly ChannelTruth[]): OwnerTruth[] {
  const owners = new Map<string, EventTruth[]>()
  for (const event of events) {
    if (!event.visible || event.userId === null) continue
    owners.set(event.userId, [...(owners.get(event.userId) ?? []), event])
  }
  return [...owners.keys()].sort(byText).map((userId) => {
    const own = owners.get(userId)!
    const sum = (pick: (event: EventTruth) => string): bigint => own.reduce((total, event) => total + cents(pick(event)), 0n)
    const investment = sum((event) => event.totalInvestment)
    const revenue = sum((event) => event.estimatedRevenue)
    const ids = new Set(own.map((event) => event.eventId))
    return {
      userId,
      events: own.length,
      totalParticipants: own.reduce((total, event) => total + event.totalParticipants, 0),
      totalInvestment: text(investment),
      expectedRevenue: text(sum((event) => event.expectedRevenue)),
      estimatedRevenue: text(revenue),
      estimatedRoi: text(roiOf(revenue, investment)),
      channelTypes: channelTypeTotals(channels.filter((channel) => ids.has(channel.eventId))),
    }
  })
}

function channelTypeTotals(channels: readonly ChannelTruth[]): OwnerTruth['channelTypes'] {
  const groups = new Map<string | null, { channels: number; participants: number; cost: bigint }>()
  for (const channel of channels) {
    const group = groups.get(channel.channelType) ?? { channels: 0, participants: 0, cost: 0n }
    group.channels += 1
    group.participants += channel.participants
    group.cost += cents(channel.distributionCost)
    groups.set(channel.channelType, group)
  }
  // Known types by name, the unknown (null) group last.
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : byText(a, b)))
  return keys.map((channelType) => {
    const group = groups.get(channelType)!
    return { channelType, channels: group.channels, participants: group.participants, distributionCost: text(group.cost) }
  })
}
