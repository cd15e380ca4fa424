import type { ChannelTypeTotalsRow, EventStatsRow } from '@event-analytics/db'
import { asOfOf } from './as-of.js'
import { eventFigures } from './event.js'
import { costPer, estimatedRoi, money, percentOf, render, renderOrNull } from './figures.js'
import type { UserSummary } from '../routes/schemas.js'

export interface Page {
  page: number
  limit: number
}

/**
 * Totals are sums of the per-event figures over ALL the owner's visible events (the page
 * only slices the list), and the portfolio ROI is the SPEC formula over those sums.
 */
export function userSummaryBody(
  userId: string,
  events: readonly EventStatsRow[],
  channelTypes: readonly ChannelTypeTotalsRow[],
  page: Page,
): UserSummary {
  const perEvent = events.map((row) => ({ row, figures: eventFigures(row) }))
  let investment = 0n
  let expected = 0n
  let revenue = 0n
  let participants = 0
  let views = 0
  for (const { row, figures } of perEvent) {
    investment += figures.totalInvestment
    expected += figures.expectedRevenue
    revenue += figures.estimatedRevenue
    participants += row.total_participants
    views += row.total_views
  }
  const start = (page.page - 1) * page.limit
  return {
    userId,
    totals: {
      events: events.length,
      totalParticipants: participants,
      totalViews: views,
      totalInvestment: render(investment),
      expectedRevenue: render(expected),
      estimatedRevenue: render(revenue),
      estimatedRoi: render(estimatedRoi(revenue, investment)),
    },
    channelTypes: channelTypes.map((row) => {
      const cost = money(row.distribution_cost)
      return {
        channelType: row.channel_type,
        channels: row.channels,
        participants: row.participants,
        views: row.views,
        impressions: row.impressions,
        clicks: row.clicks,
        conversions: row.conversions,
        engagement: row.likes + row.comments + row.shares,
        distributionCost: render(cost),
        ctr: renderOrNull(percentOf(row.clicks, row.impressions)),
        participationRate: renderOrNull(percentOf(row.participants, row.views)),
        conversionRate: renderOrNull(percentOf(row.conversions, row.clicks)),
        costPerParticipant: renderOrNull(costPer(cost, row.participants)),
        callCompletionRate: renderOrNull(percentOf(row.completed_calls, row.total_calls)),
      }
    }),
    events: {
      items: perEvent.slice(start, start + page.limit).map(({ row, figures }) => ({
        eventId: row.event_id,
        title: row.title ?? '',
        status: row.status,
        totalParticipants: row.total_participants,
        totalViews: row.total_views,
        totalInvestment: render(figures.totalInvestment),
        estimatedRevenue: render(figures.estimatedRevenue),
        estimatedRoi: render(figures.estimatedRoi),
        createdAt: (row.event_created_at ?? row.created_at).toISOString(),
      })),
      page: page.page,
      limit: page.limit,
      total: events.length,
    },
    asOf: asOfOf(...events.map((row) => row.last_occurred_at)),
  }
}
