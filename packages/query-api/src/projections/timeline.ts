/**
 * Timeline range rules, pure: parsing `from`/`to`, the requested zone, default range and the
 * bucket count (checked BEFORE any SQL runs, so an oversized request costs nothing).
 */
import type { TimelineGranularity } from '@event-analytics/contracts'
import type { TimelineBucketRow } from '@event-analytics/db'
import type { TimelineBucket } from '../wire/schemas.js'

export class TimelineRangeError extends Error {
  override name = 'TimelineRangeError'
}

/**
 * Whether Node can compute wall-clock times in `zone` (the range rules below need it). Not the
 * acceptance rule for `tz`: that is PostgreSQL's zone list (src/time-zones.ts).
 */
export function canComputeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const DEFAULT_SPAN_MS = 30 * DAY_MS
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
/** ISO-8601 instant: a date, a time and an explicit offset (Z or +hh:mm), nothing ambiguous. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

interface LocalParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(zone, formatter)
  }
  return formatter
}

/** Wall-clock fields of `instant` in `zone`. */
export function localParts(instant: Date, zone: string): LocalParts {
  const parts: Record<string, number> = {}
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  }
  return {
    year: parts['year']!,
    month: parts['month']!,
    day: parts['day']!,
    hour: parts['hour']!,
    minute: parts['minute']!,
    second: parts['second']!,
  }
}

function offsetMs(instant: number, zone: string): number {
  const p = localParts(new Date(instant), zone)
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return wall - Math.floor(instant / 1000) * 1000
}

/** The instant of local midnight starting `date` in `zone` (two fixed-point steps settle DST). */
export function localMidnight(year: number, month: number, day: number, zone: string): Date {
  const wall = Date.UTC(year, month - 1, day)
  let instant = wall - offsetMs(wall, zone)
  instant = wall - offsetMs(instant, zone)
  return new Date(instant)
}

/** Parses an ISO instant, or a date meaning local midnight of that day in `zone`. */
export function parseBound(text: string, zone: string, name: string): Date {
  const date = DATE_ONLY.exec(text)
  if (date) {
    const [, y, m, d] = date
    const check = new Date(`${text}T00:00:00Z`)
    if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== text) {
      throw new TimelineRangeError(`${name} "${text}" is not a valid date`)
    }
    return localMidnight(Number(y), Number(m), Number(d), zone)
  }
  const instant = INSTANT.test(text) ? new Date(text) : new Date(Number.NaN)
  if (Number.isNaN(instant.getTime())) {
    throw new TimelineRangeError(`${name} "${text}" is not an ISO-8601 instant (e.g. 2026-03-08T00:00:00Z) or a date (2026-03-08)`)
  }
  return instant
}

const dayNumber = (p: LocalParts): number => Date.UTC(p.year, p.month - 1, p.day) / DAY_MS

/** Buckets from the one holding `from` to the one holding `to`, both included. */
export function countBuckets(from: Date, to: Date, granularity: TimelineGranularity, zone: string): number {
  if (granularity === 'hour') return Math.floor(to.getTime() / HOUR_MS) - Math.floor(from.getTime() / HOUR_MS) + 1
  const start = localParts(from, zone)
  const end = localParts(to, zone)
  switch (granularity) {
    case 'day':
      return dayNumber(end) - dayNumber(start) + 1
    case 'week':
      // Day 0 (1970-01-01) was a Thursday: +3 makes weeks start on ISO Monday.
      return Math.floor((dayNumber(end) + 3) / 7) - Math.floor((dayNumber(start) + 3) / 7) + 1
    case 'month':
      return end.year * 12 + end.month - (start.year * 12 + start.month) + 1
  }
}

/** Shortest length a bucket can have, to clamp a default range under the bucket limit. */
const SHORTEST_BUCKET_MS: Readonly<Record<TimelineGranularity, number>> = {
  hour: HOUR_MS,
  day: DAY_MS - 2 * HOUR_MS,
  week: 7 * DAY_MS - 2 * HOUR_MS,
  month: 28 * DAY_MS - 2 * HOUR_MS,
}

export interface RangeRequest {
  from?: string
  to?: string
  granularity: TimelineGranularity
  timeZone: string
  maxBuckets: number
}

export interface ResolvedRange {
  from: Date
  to: Date
}

/**
 * Explicit bounds are validated (from <= to, at most maxBuckets buckets: 400 otherwise).
 * Missing bounds default to the event's data span (first/last hourly row), or the last
 * 30 days up to `now` when it has none; a defaulted `from` is clamped to the latest
 * maxBuckets buckets so a default never fails.
 */
export function resolveRange(request: RangeRequest, span: { first: Date; last: Date } | undefined, now: Date): ResolvedRange {
  const { granularity, timeZone, maxBuckets } = request
  const given = {
    from: request.from === undefined ? undefined : parseBound(request.from, timeZone, 'from'),
    to: request.to === undefined ? undefined : parseBound(request.to, timeZone, 'to'),
  }
  const fallbackTo = span?.last ?? now
  const to = given.to ?? (given.from !== undefined && given.from > fallbackTo ? given.from : fallbackTo)
  let from = given.from ?? (span?.first !== undefined && span.first <= to ? span.first : new Date(to.getTime() - DEFAULT_SPAN_MS))
  if (from > to) throw new TimelineRangeError(`from (${from.toISOString()}) is after to (${to.toISOString()})`)
  if (given.from === undefined && countBuckets(from, to, granularity, timeZone) > maxBuckets) {
    from = new Date(to.getTime() - (maxBuckets - 2) * SHORTEST_BUCKET_MS[granularity])
  }
  const buckets = countBuckets(from, to, granularity, timeZone)
  if (buckets > maxBuckets) {
    throw new TimelineRangeError(
      `the range holds ${buckets} ${granularity} buckets, more than the limit of ${maxBuckets}; narrow from/to or use a coarser granularity`,
    )
  }
  return { from, to }
}

export interface TimelineBuckets {
  buckets: TimelineBucket[]
  /** Some local boundary is not on a UTC hour (e.g. Asia/Kolkata +05:30): see OFF_HOUR_NOTE. */
  approximate: boolean
}

export const OFF_HOUR_NOTE =
  'This zone is not a whole number of hours from UTC at some bucket boundary, and the data is kept in UTC hours: ' +
  'each bucket holds the UTC hours that start inside its local period, so bucketStart and bucketEnd are the first ' +
  'whole UTC hours at or after the local boundaries (e.g. 00:30 local time in Asia/Kolkata), not local midnight.'

/** The first whole UTC hour at or after `ms`. */
const ceilHour = (ms: number): number => Math.ceil(ms / HOUR_MS) * HOUR_MS

/**
 * Rows carry the local period's boundaries; each bucket holds the hourly rows whose start lies
 * inside that period (read-timeline.ts), so the instants it really covers are the boundaries
 * rounded up to whole UTC hours. In whole-hour zones that changes nothing.
 */
export function timelineBuckets(rows: readonly TimelineBucketRow[]): TimelineBuckets {
  let approximate = false
  // Buckets are contiguous: a bucket's start is the previous one's end, formatted once.
  let previousEnd = Number.NaN
  let previousEndText = ''
  const buckets = rows.map((row) => {
    const start = row.bucket_start_ms
    const end = row.bucket_end_ms
    if (ceilHour(start) !== start || ceilHour(end) !== end) approximate = true
    const bucketStart = start === previousEnd ? previousEndText : new Date(ceilHour(start)).toISOString()
    previousEnd = end
    previousEndText = new Date(ceilHour(end)).toISOString()
    return {
      bucketStart,
      bucketEnd: previousEndText,
      participants: row.participants,
      views: row.views,
      engagement: row.engagement,
      conversions: row.conversions,
      cumulativeParticipants: row.cumulative_participants,
    }
  })
  return { buckets, approximate }
}
