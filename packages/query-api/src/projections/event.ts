import type { EventReadRow, EventStatsRow } from '@event-analytics/db'
import type { EventHeader, EventSummary } from '../wire/schemas.js'

/*
 * Shapes only: every figure is computed in PostgreSQL by the one implementation of
 * docs/SPEC.md section 6 (the figures_* functions, packages/db migration 0006): the stored
 * columns, and roi_achievement_rate from readVisibleEvent.
 */

export function eventSummary(row: EventReadRow): EventSummary {
  return {
    totalParticipants: row.total_participants,
    totalViews: row.total_views,
    totalInvestment: row.total_investment,
    expectedRevenue: row.expected_revenue,
    estimatedRevenue: row.estimated_revenue,
    estimatedRoi: row.estimated_roi,
    targetRoi: row.target_roi,
    roiAchievementRate: row.roi_achievement_rate,
    salesGrowthRate: row.sales_growth_rate,
  }
}

export function eventHeader(row: EventStatsRow): EventHeader {
  return { eventId: row.event_id, title: row.title ?? '', userId: row.user_id ?? '', status: row.status }
}
