import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { CHANNEL_COUNTER_COLUMNS, type ChannelFigures, type ChannelTypeValue, type Database, type EventStatsRow } from '../schema/types.js'
import { channelRates } from './event-figures.js'

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

/**
 * Owner totals are sums over every event (and channel) of the owner, of counters that may each
 * reach 2^53 (schema/types.ts): the sums are made in PostgreSQL as numeric (no int8 cast that could
 * overflow), come back as text and become JS bigints, exact however large. (The pool's int8 parser
 * would throw past 2^53; a JS number would round.) The API writes them as JSON integers digit for digit.
 */
function exact(text: string): bigint {
  return BigInt(text)
}

/** The owner's portfolio: sums over ALL their visible events, and the SPEC ROI over those sums. */
export interface UserTotalsRow {
  events: number
  total_participants: bigint
  total_views: bigint
  total_investment: string
  expected_revenue: string
  estimated_revenue: string
  estimated_roi: string
}

type Exact<Row, Keys extends keyof Row> = Omit<Row, Keys> & { [K in Keys]: string }

/**
 * Sums of the stored per-event figures. round(.., 2), not a typmod: keeps the two-digit text
 * (also of an empty sum) without capping the owner's total.
 */
export async function readUserTotals(db: Kysely<Database>, userId: string): Promise<UserTotalsRow> {
  const result = await sql<Exact<UserTotalsRow, 'total_participants' | 'total_views'>>`
    SELECT t.events, t.total_participants::text AS total_participants, t.total_views::text AS total_views,
           t.total_investment, t.expected_revenue, t.estimated_revenue,
           figures_estimated_roi(t.estimated_revenue, t.total_investment) AS estimated_roi
    FROM (
      SELECT count(*)::bigint AS events,
             coalesce(sum(e.total_participants), 0) AS total_participants,
             coalesce(sum(e.total_views), 0) AS total_views,
             round(coalesce(sum(e.total_investment), 0), 2) AS total_investment,
             round(coalesce(sum(e.expected_revenue), 0), 2) AS expected_revenue,
             round(coalesce(sum(e.estimated_revenue), 0), 2) AS estimated_revenue
      FROM event_stats AS e
      WHERE e.user_id = ${userId} AND e.event_created_at IS NOT NULL
    ) AS t`.execute(db)
  const [totals] = result.rows
  if (totals === undefined) throw new Error('an aggregate without GROUP BY returns one row')
  return { ...totals, total_participants: exact(totals.total_participants), total_views: exact(totals.total_views) }
}

/** Counters of a channel type summed over the owner's channels: exact (bigint), see above. */
const CHANNEL_TYPE_COUNTS = [...CHANNEL_COUNTER_COLUMNS, 'engagement'] as const
type ChannelTypeCount = (typeof CHANNEL_TYPE_COUNTS)[number]

export interface ChannelTypeTotalsRow extends Omit<ChannelFigures, 'engagement'>, Record<ChannelTypeCount, bigint> {
  channel_type: ChannelTypeValue | null
  channels: number
  distribution_cost: string
}

/**
 * Channel counters of the owner's visible events summed per channel type (NULL: type not known
 * yet), with the per-channel figures over those sums.
 */
export async function readUserChannelTypeTotals(db: Kysely<Database>, userId: string): Promise<ChannelTypeTotalsRow[]> {
  const counts = CHANNEL_TYPE_COUNTS.filter((name) => name !== 'engagement').map(
    (name) => sql`t.${sql.ref(name)}::text AS ${sql.ref(name)}`,
  )
  const sums = CHANNEL_COUNTER_COLUMNS.map((name) => sql`sum(c.${sql.ref(name)}) AS ${sql.ref(name)}`)
  const result = await sql<Exact<ChannelTypeTotalsRow, ChannelTypeCount>>`
    SELECT t.channel_type, t.channels, t.distribution_cost, ${sql.join(counts)},
           figures_engagement(t.likes, t.comments, t.shares)::text AS engagement, ${sql.join(channelRates('t'))}
    FROM (
      SELECT c.channel_type,
             count(*)::bigint AS channels,
             -- round(.., 2), not a typmod: keeps the two-digit text without capping the owner's total.
             round(sum(c.distribution_cost), 2) AS distribution_cost,
             ${sql.join(sums)}
      FROM channel_stats c
      JOIN event_stats e ON e.event_id = c.event_id
      WHERE e.user_id = ${userId} AND e.event_created_at IS NOT NULL
      GROUP BY c.channel_type
    ) AS t
    ORDER BY t.channel_type NULLS LAST`.execute(db)
  return result.rows.map((row) => {
    const exactCounts = Object.fromEntries(CHANNEL_TYPE_COUNTS.map((name) => [name, exact(row[name])])) as Record<ChannelTypeCount, bigint>
    return { ...row, ...exactCounts }
  })
}
