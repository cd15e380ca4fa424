/**
 * The naive reference the projections must equal: dedupe by messageId, then plain sums,
 * maxima and a sort of the hours for the cumulative. Written independently of src/fold.
 */
import type { DomainEvent, EventCreated, EventStatusChanged } from '@event-analytics/contracts'

export interface EventRow {
  event_id: string
  user_id: string | null
  title: string | null
  status: string
  status_changed_at: number | null
  event_created_at: number | null
  own_investment: string
  distribution_cost: string
  total_investment: string
  expected_revenue: string
  expected_participants: number | null
  target_roi: string
  sales_growth_rate: string | null
  starts_at: number | null
  ends_at: number | null
  total_participants: number
  total_views: number
  estimated_revenue: string
  estimated_roi: string
  last_occurred_at: number | null
}
export interface ChannelRow {
  event_id: string
  channel_name: string
  channel_type: string | null
  participants: number
  distribution_count: number
  distribution_cost: string
  impressions: number
  views: number
  clicks: number
  conversions: number
  likes: number
  comments: number
  shares: number
  total_calls: number
  completed_calls: number
  average_duration_sec: string
  metrics_as_of: number | null
  last_occurred_at: number | null
  last_participant_at: number | null
}
export interface TimelineRow {
  event_id: string
  timestamp: number
  participants: number
  views: number
  engagement: number
  conversions: number
  cumulative_participants: number
}
export interface Tables {
  events: EventRow[]
  channels: ChannelRow[]
  timeline: TimelineRow[]
}

export const cents = (text: string): bigint => {
  const [whole = '0', fraction = ''] = text.split('.')
  const sign = whole.startsWith('-') ? -1n : 1n
  return sign * (BigInt(whole.replace('-', '')) * 100n + BigInt(fraction.padEnd(2, '0')))
}
export const money = (value: bigint): string => {
  const sign = value < 0n ? '-' : ''
  const abs = value < 0n ? -value : value
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
}
/** Round half away from zero of n / d (d > 0). */
const roundDiv = (n: bigint, d: bigint): bigint => {
  const abs = n < 0n ? -n : n
  const q = (abs * 2n + d) / (2n * d)
  return n < 0n ? -q : q
}

const RANK: Record<string, number> = { ACTIVE: 1, ENDED: 2, ARCHIVED: 3 }

function createdKey(e: EventCreated): (string | number | bigint)[] {
  return [
    e.occurredAt,
    e.userId,
    e.title,
    cents(e.totalInvestment),
    cents(e.expectedRevenue),
    cents(e.targetRoi),
    e.expectedParticipants ?? -1,
    e.salesGrowthRate === null ? -100_000_000_000n : cents(e.salesGrowthRate),
    e.startsAt ?? Number.NEGATIVE_INFINITY,
    e.endsAt ?? Number.NEGATIVE_INFINITY,
  ]
}
function keyGreater(a: (string | number | bigint)[], b: (string | number | bigint)[]): boolean {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i]! > b[i]!) return true
    if (a[i]! < b[i]!) return false
  }
  return false
}

/** docs/SPEC.md section 6 on cents: total investment, estimated revenue and ROI (hundredths of a percent). */
export function derivedFigures(
  ownInvestment: bigint,
  distribution: bigint,
  expectedRevenue: bigint,
  expected: number | null,
  participants: bigint,
): { investment: bigint; revenue: bigint; roi: bigint } {
  const investment = ownInvestment + distribution
  const revenue = expected !== null && expected > 0 ? roundDiv(expectedRevenue * participants, BigInt(expected)) : expectedRevenue
  const roi = investment === 0n ? 0n : roundDiv((revenue - investment) * 10000n, investment)
  return { investment, revenue, roi }
}

export function reference(stream: readonly DomainEvent[]): Tables {
  const seen = new Set<string>()
  const messages = stream.filter((m) => !seen.has(m.messageId) && Boolean(seen.add(m.messageId)))
  const eventIds = [...new Set(messages.map((m) => m.eventId))].sort()
  const events = eventIds.map((id) =>
    eventRow(
      id,
      messages.filter((m) => m.eventId === id),
    ),
  )
  const channels: ChannelRow[] = []
  const timeline: TimelineRow[] = []
  for (const id of eventIds) {
    const own = messages.filter((m) => m.eventId === id)
    const names = new Set<string>()
    for (const m of own) {
      if (m.kind === 'ParticipantRegistered' && m.channelName !== null) names.add(m.channelName)
      if (m.kind === 'DistributionCompleted') for (const c of m.channels) names.add(c.channelName)
    }
    for (const name of [...names].sort()) channels.push(channelRow(id, name, own))
    const hours = new Map<number, number>()
    for (const m of own) {
      if (m.kind !== 'ParticipantRegistered') continue
      const hour = Math.floor(m.occurredAt / 3_600_000) * 3_600_000
      hours.set(hour, (hours.get(hour) ?? 0) + 1)
    }
    let cumulative = 0
    for (const [hour, count] of [...hours].sort((a, b) => a[0] - b[0])) {
      cumulative += count
      timeline.push({
        event_id: id,
        timestamp: hour,
        participants: count,
        views: 0,
        engagement: 0,
        conversions: 0,
        cumulative_participants: cumulative,
      })
    }
  }
  return { events, channels, timeline }
}

function eventRow(id: string, own: readonly DomainEvent[]): EventRow {
  let created: EventCreated | null = null
  let status: EventStatusChanged | null = null
  let participants = 0
  let distribution = 0n
  for (const m of own) {
    if (m.kind === 'ParticipantRegistered') participants += 1
    if (m.kind === 'DistributionCompleted') for (const c of m.channels) distribution += cents(c.distributionCost)
    if (m.kind === 'EventCreated' && (created === null || keyGreater(createdKey(m), createdKey(created)))) created = m
    if (
      m.kind === 'EventStatusChanged' &&
      (status === null ||
        m.occurredAt > status.occurredAt ||
        (m.occurredAt === status.occurredAt && RANK[m.status]! > RANK[status.status]!))
    )
      status = m
  }
  const ownInvestment = created === null ? 0n : cents(created.totalInvestment)
  const expectedRevenue = created === null ? 0n : cents(created.expectedRevenue)
  const expected = created?.expectedParticipants ?? null
  const { investment, revenue, roi } = derivedFigures(ownInvestment, distribution, expectedRevenue, expected, BigInt(participants))
  return {
    event_id: id,
    user_id: created?.userId ?? null,
    title: created?.title ?? null,
    status: status?.status ?? 'ACTIVE',
    status_changed_at: status?.occurredAt ?? null,
    event_created_at: created?.occurredAt ?? null,
    own_investment: money(ownInvestment),
    distribution_cost: money(distribution),
    total_investment: money(investment),
    expected_revenue: money(expectedRevenue),
    expected_participants: expected,
    target_roi: created === null ? '0.00' : money(cents(created.targetRoi)),
    sales_growth_rate: created?.salesGrowthRate == null ? null : money(cents(created.salesGrowthRate)),
    starts_at: created?.startsAt ?? null,
    ends_at: created?.endsAt ?? null,
    total_participants: participants,
    total_views: 0,
    estimated_revenue: money(revenue),
    estimated_roi: money(roi),
    last_occurred_at: own.length === 0 ? null : Math.max(...own.map((m) => m.occurredAt)),
  }
}

function channelRow(id: string, name: string, own: readonly DomainEvent[]): ChannelRow {
  let participants = 0
  let count = 0
  let cost = 0n
  let type: string | null = null
  let last: number | null = null
  let lastParticipant: number | null = null
  const saw = (at: number): void => {
    last = last === null ? at : Math.max(last, at)
  }
  for (const m of own) {
    if (m.kind === 'ParticipantRegistered' && m.channelName === name) {
      participants += 1
      saw(m.occurredAt)
      lastParticipant = lastParticipant === null ? m.occurredAt : Math.max(lastParticipant, m.occurredAt)
    }
    if (m.kind !== 'DistributionCompleted') continue
    for (const c of m.channels) {
      if (c.channelName !== name) continue
      count += 1
      cost += cents(c.distributionCost)
      saw(m.occurredAt)
      if (type === null || c.channelType > type) type = c.channelType
    }
  }
  return {
    ...emptyChannelRow(id, name),
    channel_type: type,
    participants,
    distribution_count: count,
    distribution_cost: money(cost),
    last_occurred_at: last,
    last_participant_at: lastParticipant,
  }
}

/** A channel row as first inserted: no counters, no provider metrics yet. */
export function emptyChannelRow(eventId: string, channelName: string): ChannelRow {
  return {
    event_id: eventId,
    channel_name: channelName,
    channel_type: null,
    participants: 0,
    distribution_count: 0,
    distribution_cost: '0.00',
    impressions: 0,
    views: 0,
    clicks: 0,
    conversions: 0,
    likes: 0,
    comments: 0,
    shares: 0,
    total_calls: 0,
    completed_calls: 0,
    average_duration_sec: '0.00',
    metrics_as_of: null,
    last_occurred_at: null,
    last_participant_at: null,
  }
}
