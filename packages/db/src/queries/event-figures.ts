import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'
import type { AppliedEvent } from './apply-batch.js'
import { textArrayLiteral } from '../array-literal.js'

/**
 * docs/SPEC.md section 6 has one implementation: the figures_* SQL functions of migration 0006.
 * This file is how TypeScript reaches them: the write that stores an event's figures, and the
 * select-list fragments the read queries use for the figures that are not stored.
 */

/**
 * Recomputes the stored figures (total_investment, estimated_revenue, estimated_roi,
 * total_views) of the listed events from their primitive columns and their channels; returns
 * each existing event with its owner. In the batch transaction the event rows are already
 * locked, so concurrent batches cannot interleave their recomputes.
 */
export async function refreshEventFigures(db: Kysely<Database>, eventIds: readonly string[]): Promise<AppliedEvent[]> {
  const result = await sql<{ event_id: string; user_id: string | null }>`
    SELECT event_id, user_id FROM figures_refresh_events(${textArrayLiteral(eventIds)}::varchar[])`.execute(db)
  return result.rows.map((row) => ({ eventId: row.event_id, userId: row.user_id }))
}

/**
 * What an ingest batch can change of the stored figures of the listed events: total_investment,
 * estimated_revenue and estimated_roi, by the same figures_* functions as the refresh above;
 * returns each existing event with its owner. Under the batch transaction's event row locks.
 *
 * total_views is left as stored: it sums the event's channel views, and no batch writes a view (a
 * batch adds participants, distributions and channel rows, whose views start at 0). The writers of
 * views store total_views themselves under the same row lock: the provider snapshots
 * (apply-snapshot.ts) and a rebuild's adopted metrics (sets/live.ts, through the full refresh).
 * Leaving it out spares a channel_stats probe per event: about 40 % of the refresh's time.
 * The three assignments repeat those of figures_refresh_events (migration 0006, frozen as every
 * migration is); a formula changes in the figures_* functions, which both statements call.
 */
export async function refreshBatchFigures(db: Kysely<Database>, eventIds: readonly string[]): Promise<AppliedEvent[]> {
  const result = await sql<{ event_id: string; user_id: string | null }>`
    UPDATE event_stats AS e
    SET total_investment = figures_total_investment(e.own_investment, e.distribution_cost),
        estimated_revenue = figures_estimated_revenue(e.expected_revenue, e.total_participants, e.expected_participants),
        estimated_roi = figures_estimated_roi(
          figures_estimated_revenue(e.expected_revenue, e.total_participants, e.expected_participants),
          figures_total_investment(e.own_investment, e.distribution_cost)),
        updated_at = now()
    WHERE e.event_id = ANY (${textArrayLiteral(eventIds)}::varchar[])
    RETURNING e.event_id, e.user_id`.execute(db)
  return result.rows.map((row) => ({ eventId: row.event_id, userId: row.user_id }))
}

/** The event figures that are not stored: the achievement rate depends only on stored columns. */
export const roiAchievementRate = sql<string | null>`figures_roi_achievement_rate(estimated_roi, target_roi)`.as('roi_achievement_rate')

/**
 * The per-channel figures over a relation with channel_stats' counter columns (a channel row,
 * or sums of them: the rates of a sum are the SPEC formulas over the summed counters).
 */
export function channelFigures(relation: string) {
  const column = (name: string) => sql.ref(`${relation}.${name}`)
  return [
    sql<number>`figures_engagement(${column('likes')}, ${column('comments')}, ${column('shares')})::bigint`.as('engagement'),
    ...channelRates(relation),
  ] as const
}

/** The rates and cost per participant of channelFigures, without engagement (a count: callers sum it their own way). */
export function channelRates(relation: string) {
  const column = (name: string) => sql.ref(`${relation}.${name}`)
  return [
    sql<string | null>`figures_percent(${column('clicks')}, ${column('impressions')})`.as('ctr'),
    sql<string | null>`figures_percent(${column('participants')}, ${column('views')})`.as('participation_rate'),
    sql<string | null>`figures_percent(${column('conversions')}, ${column('clicks')})`.as('conversion_rate'),
    sql<string | null>`figures_cost_per(${column('distribution_cost')}, ${column('participants')})`.as('cost_per_participant'),
    sql<string | null>`figures_percent(${column('completed_calls')}, ${column('total_calls')})`.as('call_completion_rate'),
  ] as const
}
