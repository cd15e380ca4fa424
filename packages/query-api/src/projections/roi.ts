import type { ChannelStatsRow, EventReadRow } from '@event-analytics/db'
import { asOfOf } from './as-of.js'
import type { Roi } from '../wire/schemas.js'

/** Shapes only: the figures come computed from PostgreSQL (docs/SPEC.md section 6, packages/db migration 0006). */
export function roiBody(event: EventReadRow, channels: readonly ChannelStatsRow[]): Roi {
  return {
    eventId: event.event_id,
    investment: {
      ownInvestment: event.own_investment,
      distributionCost: event.distribution_cost,
      totalInvestment: event.total_investment,
      channels: channels.map((row) => ({
        channelName: row.channel_name,
        channelType: row.channel_type,
        distributionCount: row.distribution_count,
        distributionCost: row.distribution_cost,
      })),
    },
    revenue: {
      expectedRevenue: event.expected_revenue,
      estimatedRevenue: event.estimated_revenue,
      expectedParticipants: event.expected_participants,
      totalParticipants: event.total_participants,
    },
    estimatedRoi: event.estimated_roi,
    targetRoi: event.target_roi,
    roiAchievementRate: event.roi_achievement_rate,
    salesGrowthRate: event.sales_growth_rate,
    asOf: asOfOf(event.last_occurred_at),
  }
}
