import type { EventReadRow, EventStatsRow } from '@event-analytics/db'

/*
 * Shapes only: every figure is computed in PostgreSQL by the one implementation of
 * docs/SPEC.md section 6 (the figures_* functions, packages/db migration 0006): the stored
 * columns, and roi_achievement_rate from readVisibleEvent.
 */

export interface EventSummaryBody {
  totalParticipants: number
  totalViews: number
  totalInvestment: string
  expectedRevenue: string
  estimatedRevenue: string
  estimatedRoi: string
  targetRoi: string
  roiAchievementRate: string | null
  salesGrowthRate: string | null
}

export function eventSummary(row: EventReadRow): EventSummaryBody {
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

export interface EventHeader {
  eventId: string
  title: string
  userId: string
  status: string
}

export function eventHeader(row: EventStatsRow): EventHeader {
  return { eventId: row.event_id, title: row.title ?? '', userId: row.user_id ?? '', status: row.status }
}
