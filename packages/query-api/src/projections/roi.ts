import type { ChannelStatsRow, EventStatsRow } from '@event-analytics/db'
import { asOfOf } from './as-of.js'
import { eventFigures } from './event.js'
import { money, render, renderOrNull } from './figures.js'
import type { Roi } from '../routes/schemas.js'

export function roiBody(event: EventStatsRow, channels: readonly ChannelStatsRow[]): Roi {
  const figures = eventFigures(event)
  return {
    eventId: event.event_id,
    investment: {
      ownInvestment: render(figures.ownInvestment),
      distributionCost: render(figures.distributionCost),
      totalInvestment: render(figures.totalInvestment),
      channels: channels.map((row) => ({
        channelName: row.channel_name,
        channelType: row.channel_type,
        distributionCount: row.distribution_count,
        distributionCost: render(money(row.distribution_cost)),
      })),
    },
    revenue: {
      expectedRevenue: render(figures.expectedRevenue),
      estimatedRevenue: render(figures.estimatedRevenue),
      expectedParticipants: event.expected_participants,
      totalParticipants: event.total_participants,
    },
    estimatedRoi: render(figures.estimatedRoi),
    targetRoi: render(figures.targetRoi),
    roiAchievementRate: renderOrNull(figures.roiAchievementRate),
    salesGrowthRate: event.sales_growth_rate === null ? null : render(money(event.sales_growth_rate)),
    asOf: asOfOf(event.last_occurred_at),
  }
}
