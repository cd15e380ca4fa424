import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { ChannelFigures, ChannelTypeValue, Database, EventStatsRow } from '../schema/types.js'
import { channelFigures } from './event-figures.js'

/** The owner's visible events (EventCreated applied), newest first, with their stored figures. */
export async function readUserEvents(db: Kysely<Database>, userId: string): Promise<EventStatsRow[]> {
  return db
    .selectFrom('event_stats')
    .selectAll()
    .where('user_id', '=', userId)
    .where('event_created_at', 'is not', null)
    .orderBy('event_created_at', 'desc')
    .orderBy('event_id')
    .execute()
}

/** The owner's portfolio: sums over ALL their visible events, and the SPEC ROI over those sums. */
export interface UserTotalsRow {
  events: number
  total_participants: number
  total_views: number
  total_investment: string
  expected_revenue: string
  estimated_revenue: string
  estimated_roi: string
}

/**
 * Sums of the stored per-event figures. round(.., 2), not a typmod: keeps the two-digit text
 * (also of an empty sum) without capping the owner's total.
 */
export async function readUserTotals(db: Kysely<Database>, userId: string): Promise<UserTotalsRow> {
  const result = await sql<UserTotalsRow>`
    SELECT t.events, t.total_participants, t.total_views, t.total_investment, t.expected_revenue, t.estimated_revenue,
           figures_estimated_roi(t.estimated_revenue, t.total_investment) AS estimated_roi
    FROM (
      SELECT count(*)::bigint AS events,
             coalesce(sum(e.total_participants), 0)::bigint AS total_participants,
             coalesce(sum(e.total_views), 0)::bigint AS total_views,
             round(coalesce(sum(e.total_investment), 0), 2) AS total_investment,
             round(coalesce(sum(e.expected_revenue), 0), 2) AS expected_revenue,
             round(coalesce(sum(e.estimated_revenue), 0), 2) AS estimated_revenue
      FROM event_stats AS e
      WHERE e.user_id = ${userId} AND e.event_created_at IS NOT NULL
    ) AS t`.execute(db)
  const [totals] = result.rows
  if (totals === undefined) throw new Error('an aggregate without GROUP BY returns one row')
  return totals
}

export interface ChannelTypeTotalsRow extends ChannelFigures {
  channel_type: ChannelTypeValue | null
  channels: number
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
}

/**
 * Channel counters of the owner's visible events summed per channel type (NULL: type not known
 * yet), with the per-channel figures over those sums.
 */
export async function readUserChannelTypeTotals(db: Kysely<Database>, userId: string): Promise<ChannelTypeTotalsRow[]> {
  const result = await sql<ChannelTypeTotalsRow>`
    SELECT t.*, ${sql.join(channelFigures('t'))}
    FROM (
      SELECT c.channel_type,
             count(*)::bigint AS channels,
             sum(c.participants)::bigint AS participants,
             sum(c.distribution_count)::bigint AS distribution_count,
             -- round(.., 2), not a typmod: keeps the two-digit text without capping the owner's total.
             round(sum(c.distribution_cost), 2) AS distribution_cost,
             sum(c.impressions)::bigint AS impressions,
             sum(c.views)::bigint AS views,
             sum(c.clicks)::bigint AS clicks,
             sum(c.conversions)::bigint AS conversions,
             sum(c.likes)::bigint AS likes,
             sum(c.comments)::bigint AS comments,
             sum(c.shares)::bigint AS shares,
             sum(c.total_calls)::bigint AS total_calls,
             sum(c.completed_calls)::bigint AS completed_calls
      FROM channel_stats c
      JOIN event_stats e ON e.event_id = c.event_id
      WHERE e.user_id = ${userId} AND e.event_created_at IS NOT NULL
      GROUP BY c.channel_type
    ) AS t
    ORDER BY t.channel_type NULLS LAST`.execute(db)
  return result.rows
}
