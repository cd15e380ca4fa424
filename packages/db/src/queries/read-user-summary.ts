import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { ChannelTypeValue, Database, EventStatsRow } from '../schema/types.js'

/** The owner's visible events (EventCreated applied), newest first. */
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

export interface ChannelTypeTotalsRow {
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

/** Channel counters of the owner's visible events summed per channel type (NULL: type not known yet). */
export async function readUserChannelTypeTotals(db: Kysely<Database>, userId: string): Promise<ChannelTypeTotalsRow[]> {
  const result = await sql<ChannelTypeTotalsRow>`
    SELECT c.channel_type,
           count(*)::bigint AS channels,
           sum(c.participants)::bigint AS participants,
           sum(c.distribution_count)::bigint AS distribution_count,
           -- round(.., 2), not a typmod: keeps the two-digit text without capping the owner's total.
           round(sum(c.distribution_cost), 2)::text AS distribution_cost,
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
    ORDER BY c.channel_type NULLS LAST`.execute(db)
  return result.rows
}
