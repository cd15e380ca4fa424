import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'

export type TimelineUnit = 'hour' | 'day' | 'week' | 'month'

export interface TimelineQuery {
  readonly eventId: string
  readonly unit: TimelineUnit
  /** IANA zone the buckets are local to. Hour buckets are always UTC hours (docs/SPEC.md section 4). */
  readonly timeZone: string
  /** First and last instant of the range; the buckets containing them are included whole. */
  readonly from: Date
  readonly to: Date
  /** Hard cap on generated buckets: the caller validates the range, this is the safety net. */
  readonly maxBuckets: number
}

export interface TimelineBucketRow {
  /**
   * The bucket's local boundaries as instants, in epoch milliseconds: numbers rather than Dates,
   * since a one-year daily timeline has 732 of them and the caller formats each once.
   */
  bucket_start_ms: number
  bucket_end_ms: number
  participants: number
  views: number
  engagement: number
  conversions: number
  /** cumulative_participants of the last hourly row before the bucket's end (0 when none). */
  cumulative_participants: number
}

const STEP: Readonly<Record<TimelineUnit, string>> = {
  hour: '1 hour',
  day: '1 day',
  week: '1 week',
  month: '1 month',
}

/**
 * Zero-filled roll-up of the hourly rows into local buckets. The bucket series is generated
 * over LOCAL wall-clock time (date_trunc + calendar steps on `timestamp without time zone`)
 * and each bucket start/end is converted back to an instant, so a day across a DST change
 * is 23 or 25 hours long and weeks start on ISO Monday. Hourly rows are UTC hours, which
 * never straddle a local day boundary of a whole-hour-offset zone; in other zones (Asia/Kolkata
 * +05:30) a row belongs to the bucket its START falls in, so a bucket holds the UTC hours that
 * start inside its local period (bucket_start/bucket_end stay the local boundaries; the API
 * reports the whole hours they cover).
 *
 * One pass: every hourly row is assigned its bucket by the same date_trunc and joined on
 * equality. cumulative_participants never decreases within an event, so a bucket's
 * cumulative is the running max, seeded with the last value before the range.
 */
export async function readTimeline(db: Kysely<Database>, query: TimelineQuery): Promise<TimelineBucketRow[]> {
  const zone = query.unit === 'hour' ? 'UTC' : query.timeZone
  const step = STEP[query.unit]
  const result = await sql<TimelineBucketRow>`
    WITH buckets AS (
      SELECT (local_start AT TIME ZONE ${zone}) AS bucket_start,
             ((local_start + ${step}::interval) AT TIME ZONE ${zone}) AS bucket_end
      FROM generate_series(
        date_trunc(${query.unit}, ${query.from}::timestamptz AT TIME ZONE ${zone}),
        date_trunc(${query.unit}, ${query.to}::timestamptz AT TIME ZONE ${zone}),
        ${step}::interval
      ) AS local_start
      LIMIT ${query.maxBuckets}
    ),
    span AS (SELECT min(bucket_start) AS lo, max(bucket_end) AS hi FROM buckets),
    per_bucket AS (
      SELECT date_trunc(${query.unit}, t."timestamp" AT TIME ZONE ${zone}) AT TIME ZONE ${zone} AS bucket_start,
             sum(t.participants) AS participants,
             sum(t.views) AS views,
             sum(t.engagement) AS engagement,
             sum(t.conversions) AS conversions,
             max(t.cumulative_participants) AS cumulative
      FROM timeline_data t, span
      WHERE t.event_id = ${query.eventId} AND t."timestamp" >= span.lo AND t."timestamp" < span.hi
      GROUP BY 1
    ),
    before_range AS (
      SELECT coalesce((
        SELECT c.cumulative_participants FROM timeline_data c, span
        WHERE c.event_id = ${query.eventId} AND c."timestamp" < span.lo
        ORDER BY c."timestamp" DESC
        LIMIT 1
      ), 0) AS cumulative
    )
    SELECT (extract(epoch FROM b.bucket_start) * 1000)::bigint AS bucket_start_ms,
           (extract(epoch FROM b.bucket_end) * 1000)::bigint AS bucket_end_ms,
           coalesce(p.participants, 0)::bigint AS participants,
           coalesce(p.views, 0)::bigint AS views,
           coalesce(p.engagement, 0)::bigint AS engagement,
           coalesce(p.conversions, 0)::bigint AS conversions,
           greatest(
             (SELECT cumulative FROM before_range),
             coalesce(max(p.cumulative) OVER (ORDER BY b.bucket_start), 0)
           )::bigint AS cumulative_participants
    FROM buckets b
    LEFT JOIN per_bucket p ON p.bucket_start = b.bucket_start
    ORDER BY b.bucket_start`.execute(db)
  return result.rows
}

export interface TimelineSpan {
  first: Date
  last: Date
}

/** First and last hour the event has timeline rows for, or undefined when it has none. */
export async function readTimelineSpan(db: Kysely<Database>, eventId: string): Promise<TimelineSpan | undefined> {
  const row = await db
    .selectFrom('timeline_data')
    .select((eb) => [eb.fn.min('timestamp').as('first'), eb.fn.max('timestamp').as('last')])
    .where('event_id', '=', eventId)
    .executeTakeFirst()
  if (row === undefined || row.first === null || row.last === null) return undefined
  return { first: new Date(row.first), last: new Date(row.last) }
}
