import type { EventStatsRow } from '@event-analytics/db'
import type { EventHeader, EventSummary } from '../routes/schemas.js'
import { estimatedRevenue, estimatedRoi, money, render, renderOrNull, roiAchievementRate } from './figures.js'

/** Event-level figures shared by the dashboard, the ROI view and the owner's summary. */
export interface EventFigures {
  ownInvestment: bigint
  distributionCost: bigint
  totalInvestment: bigint
  expectedRevenue: bigint
  estimatedRevenue: bigint
  estimatedRoi: bigint
  targetRoi: bigint
  roiAchievementRate: bigint | null
}

/**
 * Recomputed from the primitive columns rather than trusting the stored estimated_* columns,
 * so every view applies the same tested formulas (they agree with a correct aggregator).
 */
export function eventFigures(row: EventStatsRow): EventFigures {
  const ownInvestment = money(row.own_investment)
  const distributionCost = money(row.distribution_cost)
  const totalInvestment = ownInvestment + distributionCost
  const expectedRevenue = money(row.expected_revenue)
  const revenue = estimatedRevenue(expectedRevenue, row.total_participants, row.expected_participants)
  const roi = estimatedRoi(revenue, totalInvestment)
  const targetRoi = money(row.target_roi)
  return {
    ownInvestment,
    distributionCost,
    totalInvestment,
    expectedRevenue,
    estimatedRevenue: revenue,
    estimatedRoi: roi,
    targetRoi,
    roiAchievementRate: roiAchievementRate(roi, targetRoi),
  }
}

export function eventSummary(row: EventStatsRow): EventSummary {
  const figures = eventFigures(row)
  return {
    totalParticipants: row.total_participants,
    totalViews: row.total_views,
    totalInvestment: render(figures.totalInvestment),
    expectedRevenue: render(figures.expectedRevenue),
    estimatedRevenue: render(figures.estimatedRevenue),
    estimatedRoi: render(figures.estimatedRoi),
    targetRoi: render(figures.targetRoi),
    roiAchievementRate: renderOrNull(figures.roiAchievementRate),
    salesGrowthRate: row.sales_growth_rate === null ? null : render(money(row.sales_growth_rate)),
  }
}

export function eventHeader(row: EventStatsRow): EventHeader {
  return { eventId: row.event_id, title: row.title ?? '', userId: row.user_id ?? '', status: row.status }
}
