import type { ChannelTypeTotalsRow, EventStatsRow, OwnerReturning, UserTotalsRow } from '@event-analytics/db'
import { asOfOf } from './as-of.js'
import type { UserSummary } from '../wire/schemas.js'

export interface Page {
  page: number
  limit: number
}

/**
 * Shapes only: the per-event figures are the stored ones, the totals (sums over ALL the owner's
 * visible events, the page only slices the list, and the portfolio ROI over those sums) and the
 * per-type figures come computed from PostgreSQL (docs/SPEC.md section 6, packages/db migration 0006).
 */
export function userSummaryBody(
  userId: string,
  events: readonly EventStatsRow[],
  totals: UserTotalsRow,
  channelTypes: readonly ChannelTypeTotalsRow[],
  returning: OwnerReturning,
  page: Page,
): UserSummary {
  const start = (page.page - 1) * page.limit
  return {
    userId,
    totals: {
      events: totals.events,
      totalParticipants: totals.total_participants,
      totalViews: totals.total_views,
      totalInvestment: totals.total_investment,
      expectedRevenue: totals.expected_revenue,
      estimatedRevenue: totals.estimated_revenue,
      estimatedRoi: totals.estimated_roi,
    },
    channelTypes: channelTypes.map((row) => ({
      channelType: row.channel_type,
      channels: row.channels,
      participants: row.participants,
      views: row.views,
      impressions: row.impressions,
      clicks: row.clicks,
      conversions: row.conversions,
      engagement: row.engagement,
      distributionCost: row.distribution_cost,
      ctr: row.ctr,
      participationRate: row.participation_rate,
      conversionRate: row.conversion_rate,
      costPerParticipant: row.cost_per_participant,
      callCompletionRate: row.call_completion_rate,
    })),
    events: {
      items: events.slice(start, start + page.limit).map((row) => ({
        eventId: row.event_id,
        title: row.title ?? '',
        status: row.status,
        totalParticipants: row.total_participants,
        totalViews: row.total_views,
        totalInvestment: row.total_investment,
        estimatedRevenue: row.estimated_revenue,
        estimatedRoi: row.estimated_roi,
        newParticipants: returning.events.get(row.event_id)?.new_participants ?? 0,
        returningParticipants: returning.events.get(row.event_id)?.returning_participants ?? 0,
        createdAt: (row.event_created_at ?? row.created_at).toISOString(),
      })),
      page: page.page,
      limit: page.limit,
      total: events.length,
    },
    asOf: asOfOf(...events.map((row) => row.last_occurred_at)),
    returningAsOf: asOfOf(returning.as_of),
  }
}
