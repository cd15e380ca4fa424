import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * The one implementation of the docs/SPEC.md section 6 figures, one way
 * everywhere: SQL functions that the aggregator's write (figures_refresh_events) and the API's
 * reads (queries/read-*.ts) both call, so a formula change is one CREATE OR REPLACE in a new
 * migration (followed by a recompute of the stored columns). Frozen once released.
 *
 * Arithmetic: exact integers on unscaled hundredths (cents, hundredths of a percent), as the
 * aggregator did before. div() truncates exactly, so half-up (away from zero) is
 * sign(n) sign(d) div(2|n| + |d|, 2|d|): no numeric-division scale is involved. Back to units
 * with `* 0.01`, never `/ 100`: numeric division keeps only about 16 significant digits, so a
 * quotient of 10^15 or more would lose its cents. Parameters are numeric, never int4/int8:
 * 2 x an int4 expectedParticipants of 2^31 - 1 would overflow integer, a product of int8s bigint.
 * Every money/percent result has scale 2 exactly (the API's two-digit strings); NULL stands
 * for a zero denominator (SPEC: null, never NaN or Infinity).
 *
 * LANGUAGE sql with a standard body (RETURN / BEGIN ATOMIC): parsed once here with its
 * references bound (no search_path lookups at run time), and the scalar ones are inlined into
 * the calling query by the planner. Not STRICT, which would keep a CASE body from inlining.
 *
 * The stored columns keep their definition (the integer formulas the functions compute), so nothing
 * needs recomputing; rows that disagree with the functions anyway (written by hand, or by a
 * bug) are recomputed once, and correct rows are left untouched.
 */

const SCALAR_FUNCTIONS = [
  sql`CREATE OR REPLACE FUNCTION figures_div_half_up(n numeric, d numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    -- n / d for integral n, d (d <> 0), rounded half away from zero; scale 0.
    RETURN sign(n) * sign(d) * div(2 * abs(n) + abs(d), 2 * abs(d))`,
  sql`CREATE OR REPLACE FUNCTION figures_to_hundredths(amount numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    -- Every stored amount has scale 2, so amount x 100 is integral: trunc only drops the scale.
    RETURN trunc(amount * 100)`,
  sql`CREATE OR REPLACE FUNCTION figures_from_hundredths(hundredths numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN hundredths * 0.01`,
  sql`CREATE OR REPLACE FUNCTION figures_total_investment(own_investment numeric, distribution_cost numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN figures_from_hundredths(figures_to_hundredths(own_investment) + figures_to_hundredths(distribution_cost))`,
  sql`CREATE OR REPLACE FUNCTION figures_estimated_revenue(expected_revenue numeric, total_participants numeric,
      expected_participants numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN figures_from_hundredths(CASE WHEN coalesce(expected_participants, 0) > 0
      THEN figures_div_half_up(figures_to_hundredths(expected_revenue) * total_participants, expected_participants)
      ELSE figures_to_hundredths(expected_revenue) END)`,
  sql`CREATE OR REPLACE FUNCTION figures_estimated_roi(estimated_revenue numeric, total_investment numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN total_investment = 0 THEN 0.00
      ELSE figures_from_hundredths(figures_div_half_up(
        (figures_to_hundredths(estimated_revenue) - figures_to_hundredths(total_investment)) * 10000,
        figures_to_hundredths(total_investment))) END`,
  sql`CREATE OR REPLACE FUNCTION figures_roi_achievement_rate(estimated_roi numeric, target_roi numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN target_roi = 0 THEN NULL
      ELSE figures_from_hundredths(figures_div_half_up(figures_to_hundredths(estimated_roi) * 10000, figures_to_hundredths(target_roi))) END`,
  sql`CREATE OR REPLACE FUNCTION figures_percent(part numeric, whole numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    -- part / whole x 100 of two counts (ctr, participation, conversion, call completion).
    RETURN CASE WHEN whole = 0 THEN NULL ELSE figures_from_hundredths(figures_div_half_up(part * 10000, whole)) END`,
  sql`CREATE OR REPLACE FUNCTION figures_cost_per(cost numeric, count numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN count = 0 THEN NULL ELSE figures_from_hundredths(figures_div_half_up(figures_to_hundredths(cost), count)) END`,
  sql`CREATE OR REPLACE FUNCTION figures_engagement(likes numeric, comments numeric, shares numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN likes + comments + shares`,
]

/** Reads channel_stats: STABLE, not IMMUTABLE. */
const TOTAL_VIEWS = sql`CREATE OR REPLACE FUNCTION figures_total_views(event_id varchar) RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (SELECT coalesce(sum(c.views), 0)::bigint FROM channel_stats AS c WHERE c.event_id = figures_total_views.event_id)`

/**
 * The stored derived columns of the listed events, recomputed from their primitive columns
 * (and their channels' views); returns each event with its owner. The caller holds the event
 * rows' locks (the batch transaction) or accepts last-writer-wins.
 */
const REFRESH_EVENTS = sql`CREATE OR REPLACE FUNCTION figures_refresh_events(event_ids varchar[])
  RETURNS TABLE (event_id varchar, user_id varchar)
  LANGUAGE sql VOLATILE
  BEGIN ATOMIC
    UPDATE event_stats AS e
    SET total_investment = figures_total_investment(e.own_investment, e.distribution_cost),
        estimated_revenue = figures_estimated_revenue(e.expected_revenue, e.total_participants, e.expected_participants),
        estimated_roi = figures_estimated_roi(
          figures_estimated_revenue(e.expected_revenue, e.total_participants, e.expected_participants),
          figures_total_investment(e.own_investment, e.distribution_cost)),
        total_views = figures_total_views(e.event_id),
        updated_at = now()
    WHERE e.event_id = ANY (event_ids)
    RETURNING e.event_id, e.user_id;
  END`

/** Only the rows whose stored figures disagree with the functions (none, if every writer was right). */
const REFRESH_DISAGREEING = sql`
  SELECT count(*) FROM figures_refresh_events(ARRAY(
    SELECT s.event_id FROM event_stats AS s
    WHERE (s.total_investment, s.estimated_revenue, s.estimated_roi, s.total_views) IS DISTINCT FROM (
      figures_total_investment(s.own_investment, s.distribution_cost),
      figures_estimated_revenue(s.expected_revenue, s.total_participants, s.expected_participants),
      figures_estimated_roi(
        figures_estimated_revenue(s.expected_revenue, s.total_participants, s.expected_participants),
        figures_total_investment(s.own_investment, s.distribution_cost)),
      figures_total_views(s.event_id))
    ORDER BY s.event_id))`

/** Forward-only: no down(). CREATE OR REPLACE and the recompute make a re-run change nothing. */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of SCALAR_FUNCTIONS) await statement.execute(db)
  await TOTAL_VIEWS.execute(db)
  await REFRESH_EVENTS.execute(db)
  await REFRESH_DISAGREEING.execute(db)
}
