/**
 * What the API and the tables must hold, derived from the simulator's ground truth, and
 * the same shapes picked out of the actual answers. Only fields the truth can know are
 * compared (no audit timestamps, no external metrics), each of them exactly.
 */
import type { ChannelTruth, EventTruth, GroundTruth, HourTruth, OwnerTruth } from '@event-analytics/simulator'

type Json = Record<string, unknown>
const pick = (source: Json, keys: readonly string[]): Json => Object.fromEntries(keys.map((key) => [key, source[key]]))
const channelsOf = (truth: GroundTruth, eventId: string): ChannelTruth[] => truth.channels.filter((c) => c.eventId === eventId)

const DASHBOARD_CHANNEL_KEYS = [
  'channelName',
  'channelType',
  'participants',
  'views',
  'distributionCost',
  'participationRate',
  'costPerParticipant',
] as const
const CHANNEL_KEYS = [
  'channelName',
  'channelType',
  'participants',
  'distributionCount',
  'distributionCost',
  'views',
  'participationRate',
  'costPerParticipant',
] as const
const SUMMARY_KEYS = [
  'totalParticipants',
  'totalViews',
  'totalInvestment',
  'expectedRevenue',
  'estimatedRevenue',
  'estimatedRoi',
  'targetRoi',
  'roiAchievementRate',
  'salesGrowthRate',
] as const

/** No external metrics in this run: views stay 0, so participation rates are null. */
function channelFigures(channel: ChannelTruth): Json {
  return {
    channelName: channel.channelName,
    channelType: channel.channelType,
    participants: channel.participants,
    distributionCount: channel.distributionCount,
    distributionCost: channel.distributionCost,
    views: 0,
    participationRate: null,
    costPerParticipant: channel.costPerParticipant,
  }
}

export function expectedDashboard(truth: GroundTruth, event: EventTruth): Json {
  return {
    event: { eventId: event.eventId, title: event.title, userId: event.userId, status: event.status },
    summary: {
      totalParticipants: event.totalParticipants,
      totalViews: 0,
      totalInvestment: event.totalInvestment,
      expectedRevenue: event.expectedRevenue,
      estimatedRevenue: event.estimatedRevenue,
      estimatedRoi: event.estimatedRoi,
      targetRoi: event.targetRoi,
      roiAchievementRate: event.roiAchievementRate,
      salesGrowthRate: event.salesGrowthRate,
    },
    channels: channelsOf(truth, event.eventId).map((c) => pick(channelFigures(c), DASHBOARD_CHANNEL_KEYS)),
  }
}

export function actualDashboard(body: Json): Json {
  return {
    event: body['event'],
    summary: pick(body['summary'] as Json, SUMMARY_KEYS),
    channels: (body['channels'] as Json[]).map((c) => pick(c, DASHBOARD_CHANNEL_KEYS)),
  }
}

export const expectedChannels = (truth: GroundTruth, eventId: string): Json[] =>
  channelsOf(truth, eventId).map((c) => pick(channelFigures(c), CHANNEL_KEYS))
export const actualChannels = (body: Json[]): Json[] => body.map((c) => pick(c, CHANNEL_KEYS))

export function expectedRoi(truth: GroundTruth, event: EventTruth): Json {
  return {
    eventId: event.eventId,
    investment: {
      ownInvestment: event.ownInvestment,
      distributionCost: event.distributionCost,
      totalInvestment: event.totalInvestment,
      channels: channelsOf(truth, event.eventId).map((c) => ({
        channelName: c.channelName,
        channelType: c.channelType,
        distributionCount: c.distributionCount,
        distributionCost: c.distributionCost,
      })),
    },
    revenue: {
      expectedRevenue: event.expectedRevenue,
      estimatedRevenue: event.estimatedRevenue,
      expectedParticipants: event.expectedParticipants,
      totalParticipants: event.totalParticipants,
    },
    estimatedRoi: event.estimatedRoi,
    targetRoi: event.targetRoi,
    roiAchievementRate: event.roiAchievementRate,
    salesGrowthRate: event.salesGrowthRate,
  }
}

export function actualRoi(body: Json): Json {
  const investment = body['investment'] as Json
  return {
    ...pick(body, ['eventId', 'estimatedRoi', 'targetRoi', 'roiAchievementRate', 'salesGrowthRate']),
    investment: {
      ...pick(investment, ['ownInvestment', 'distributionCost', 'totalInvestment']),
      channels: (investment['channels'] as Json[]).map((c) =>
        pick(c, ['channelName', 'channelType', 'distributionCount', 'distributionCost']),
      ),
    },
    revenue: pick(body['revenue'] as Json, ['expectedRevenue', 'estimatedRevenue', 'expectedParticipants', 'totalParticipants']),
  }
}

const HOUR_MS = 3_600_000

/** Zero-filled UTC hours from the event's first to its last participant hour. */
export function expectedHours(hours: readonly HourTruth[]): Json[] {
  const byHour = new Map(hours.map((hour) => [hour.hour, hour.participants]))
  const first = hours[0]!.hour
  const last = hours.at(-1)!.hour
  const buckets: Json[] = []
  let cumulative = 0
  for (let hour = first; hour <= last; hour += HOUR_MS) {
    const participants = byHour.get(hour) ?? 0
    cumulative += participants
    buckets.push({ bucketStart: new Date(hour).toISOString(), participants, cumulativeParticipants: cumulative })
  }
  return buckets
}

export const actualHours = (buckets: Json[]): Json[] =>
  buckets.map((b) => pick(b, ['bucketStart', 'participants', 'cumulativeParticipants']))

export function expectedUser(owner: OwnerTruth, truth: GroundTruth): Json {
  const events = truth.events.filter((e) => e.visible && e.userId === owner.userId)
  return {
    userId: owner.userId,
    totals: {
      events: owner.events,
      totalParticipants: owner.totalParticipants,
      totalViews: 0,
      totalInvestment: owner.totalInvestment,
      expectedRevenue: owner.expectedRevenue,
      estimatedRevenue: owner.estimatedRevenue,
      estimatedRoi: owner.estimatedRoi,
    },
    channelTypes: owner.channelTypes,
    // The API lists newest first (event creation time), ties by id.
    events: [...events]
      .sort((a, b) => b.createdAt! - a.createdAt! || (a.eventId < b.eventId ? -1 : 1))
      .map((e) => ({
        eventId: e.eventId,
        title: e.title,
        status: e.status,
        totalParticipants: e.totalParticipants,
        totalInvestment: e.totalInvestment,
        estimatedRevenue: e.estimatedRevenue,
        estimatedRoi: e.estimatedRoi,
        createdAt: new Date(e.createdAt!).toISOString(),
      })),
  }
}

export function actualUser(body: Json): Json {
  return {
    userId: body['userId'],
    totals: body['totals'],
    channelTypes: (body['channelTypes'] as Json[]).map((c) => pick(c, ['channelType', 'channels', 'participants', 'distributionCost'])),
    events: ((body['events'] as Json)['items'] as Json[]).map((e) =>
      pick(e, ['eventId', 'title', 'status', 'totalParticipants', 'totalInvestment', 'estimatedRevenue', 'estimatedRoi', 'createdAt']),
    ),
  }
}

/** Table rows as the truth sees them (money as numeric text, instants as epoch ms). */
export function expectedTables(truth: GroundTruth): { events: Json[]; channels: Json[]; timeline: Json[] } {
  return {
    events: truth.events.map((e) => ({
      event_id: e.eventId,
      user_id: e.userId,
      title: e.title,
      status: e.status,
      status_changed_at: e.statusChangedAt,
      event_created_at: e.createdAt,
      own_investment: e.ownInvestment,
      distribution_cost: e.distributionCost,
      total_investment: e.totalInvestment,
      expected_revenue: e.expectedRevenue,
      expected_participants: e.expectedParticipants,
      target_roi: e.targetRoi,
      sales_growth_rate: e.salesGrowthRate,
      total_participants: e.totalParticipants,
      total_views: 0,
      estimated_revenue: e.estimatedRevenue,
      estimated_roi: e.estimatedRoi,
    })),
    channels: truth.channels.map((c) => ({
      event_id: c.eventId,
      channel_name: c.channelName,
      channel_type: c.channelType,
      participants: c.participants,
      distribution_count: c.distributionCount,
      distribution_cost: c.distributionCost,
    })),
    timeline: truth.timeline.map((h) => ({
      event_id: h.eventId,
      timestamp: h.hour,
      participants: h.participants,
      cumulative_participants: h.cumulativeParticipants,
    })),
  }
}
