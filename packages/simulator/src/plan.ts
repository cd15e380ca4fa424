/**
 * The cast of a scenario: owners, their events, each event's channels, money figures,
 * distribution runs and status changes. Pure: the same options give the same plan.
 */
import { createHash } from 'node:crypto'
import { formatDecimal, type ChannelDistribution, type EventStatus } from '@event-analytics/contracts'
import { CHANNEL_CATALOG } from './catalog.js'
import { createRandom, type Random } from './random.js'

export const HOUR_MS = 3_600_000

export interface PlanOptions {
  readonly idPrefix: string
  readonly owners: number
  readonly eventsPerOwner: number
  /** Epoch ms: the history starts here. */
  readonly start: number
  readonly spanHours: number
  /** Share of events whose EventCreated reaches Kafka after some of their participants. */
  readonly lateCreatedRate: number
  /** Participants over the history, of all events: sizes each schedule to its expected count. */
  readonly participants: number
}

export interface PlannedStatusChange {
  readonly occurredAt: number
  readonly status: EventStatus
  /** When it is sent (stream order), may be after a newer change: then it must lose. */
  readonly sendAt: number
}

export interface PlannedEvent {
  readonly eventId: string
  readonly userId: string
  readonly title: string
  readonly createdAt: number
  /** When EventCreated is sent; later than createdAt for events created "late". */
  readonly createdSendAt: number
  readonly totalInvestment: string
  readonly expectedRevenue: string
  readonly expectedParticipants: number | null
  readonly targetRoi: string
  readonly salesGrowthRate: string | null
  readonly channels: readonly ChannelDistribution[]
  readonly distributions: readonly { readonly occurredAt: number; readonly channels: readonly ChannelDistribution[] }[]
  readonly statusChanges: readonly PlannedStatusChange[]
  /** Relative popularity: share of participants. */
  readonly popularity: number
  /** Participants stop after this instant (ENDED), or never (Infinity). */
  readonly endsAt: number
  /** The announced schedule sent in EventCreated (writer schema v2); null for unscheduled events. */
  readonly schedule: { readonly startsAt: number; readonly endsAt: number } | null
}

// Korean titles too: the owners are Korean small businesses, and the page and CSV must carry them intact.
const TITLES = [
  'Spring coupon draw',
  '아메리카노 1+1 주간',
  '그랜드 오픈 경품 이벤트',
  'Summer sale raffle',
  '스탬프 적립 랠리',
  'Weekend lucky box',
]

const money = (cents: number): string => formatDecimal(BigInt(cents), 2)

export function planEvents(options: PlanOptions, random: Random): PlannedEvent[] {
  const events: PlannedEvent[] = []
  for (let owner = 1; owner <= options.owners; owner += 1) {
    const userId = `${options.idPrefix}-owner-${owner}`
    for (let index = 1; index <= options.eventsPerOwner; index += 1) {
      events.push(planEvent(options, random, userId, `${options.idPrefix}-ev-${owner}-${index}`))
    }
  }
  return events
}

function planEvent(options: PlanOptions, random: Random, userId: string, eventId: string): PlannedEvent {
  const spanMs = options.spanHours * HOUR_MS
  const createdAt = options.start + random.int(0, Math.floor(spanMs * 0.3))
  const late = random.chance(options.lateCreatedRate)
  const channels = random.sample(CHANNEL_CATALOG, random.int(2, 5)).map((spec) => ({
    channelName: spec.channelName,
    channelType: spec.channelType,
    distributionCost: money(random.int(spec.costCents[0], spec.costCents[1])),
  }))
  const statusChanges = planStatusChanges(random, createdAt, options.start + spanMs)
  const ended = statusChanges.find((change) => change.status !== 'ACTIVE')
  const planned = {
    eventId,
    userId,
    title: `${random.pick(TITLES)} #${eventId.split('-').slice(-2).join('.')}`,
    createdAt,
    createdSendAt: late ? createdAt + random.int(3 * HOUR_MS, 12 * HOUR_MS) : createdAt,
    totalInvestment: money(random.int(100_000_00, 5_000_000_00)),
    expectedRevenue: money(random.int(1_000_000_00, 30_000_000_00)),
    expectedParticipants: random.chance(0.1) ? null : random.chance(0.05) ? 0 : random.int(100, 3000),
    targetRoi: random.chance(0.05) ? '0.00' : money(random.int(50_00, 300_00)),
    salesGrowthRate: random.chance(0.3) ? null : money(random.int(-5_00, 40_00)),
    channels,
    distributions: planDistributions(random, createdAt, channels),
    statusChanges,
    popularity: 0.5 + random.next() * 2,
    endsAt: ended?.occurredAt ?? Number.POSITIVE_INFINITY,
  }
  const perEventHour = options.participants / Math.max(1, options.spanHours * options.owners * options.eventsPerOwner)
  return { ...planned, schedule: planSchedule(eventId, createdAt, planned.expectedParticipants, perEventHour) }
}

/**
 * A campaign's announced schedule: it starts on the hour it was created in (no participant comes
 * before it) and lasts as long as its expected participants take at the history's mean rate per
 * event, times 0.8 to 1.3 (some campaigns run ahead of pace, some behind), between one and 28
 * days; one event in five announces none. Drawn from its own generator seeded by the event id,
 * so it leaves every other draw of a seed (and its streams) unchanged.
 */
function planSchedule(eventId: string, createdAt: number, expectedParticipants: number | null, perHour: number): PlannedEvent['schedule'] {
  const random = createRandom(createHash('sha256').update(`schedule:${eventId}`).digest().readUInt32BE(0))
  if (random.chance(0.2)) return null
  const startsAt = Math.floor(createdAt / HOUR_MS) * HOUR_MS
  const hours =
    expectedParticipants !== null && expectedParticipants > 0 && perHour > 0
      ? (expectedParticipants / perHour) * (0.8 + random.next() * 0.5)
      : random.int(3, 28) * 24
  return { startsAt, endsAt: startsAt + Math.round(Math.min(Math.max(hours, 24), 28 * 24)) * HOUR_MS }
}

/** One run over every channel shortly after creation; sometimes a second run over a few of them. */
function planDistributions(random: Random, createdAt: number, channels: readonly ChannelDistribution[]) {
  const runs = [{ occurredAt: createdAt + random.int(60_000, 2 * HOUR_MS), channels }]
  if (random.chance(0.5)) {
    const again = random.sample(channels, random.int(1, channels.length))
    runs.push({ occurredAt: createdAt + random.int(3 * HOUR_MS, 20 * HOUR_MS), channels: again })
  }
  return runs
}

/**
 * 40% of events end before the history does; half of those are archived later. Some
 * changes are sent out of order: the older ENDED arrives after the newer ARCHIVED and
 * must be ignored (last writer by occurredAt wins).
 */
function planStatusChanges(random: Random, createdAt: number, historyEnd: number): PlannedStatusChange[] {
  if (!random.chance(0.4)) return []
  const endedAt = createdAt + Math.floor((historyEnd - createdAt) * (0.6 + random.next() * 0.2))
  const ended: PlannedStatusChange = { occurredAt: endedAt, status: 'ENDED', sendAt: endedAt }
  if (!random.chance(0.5)) return [ended]
  const archivedAt = endedAt + random.int(HOUR_MS, Math.max(HOUR_MS, historyEnd - endedAt - 1))
  const archived: PlannedStatusChange = { occurredAt: archivedAt, status: 'ARCHIVED', sendAt: archivedAt }
  return random.chance(0.5) ? [archived, { ...ended, sendAt: archivedAt + 1 }] : [ended, archived]
}
