import type { FastifyInstance } from 'fastify'
import { TIMELINE_GRANULARITIES, cacheKeys } from '@event-analytics/contracts'
import type { TimelineGranularity } from '@event-analytics/contracts'
import { readTimeline, readTimelineSpan } from '@event-analytics/db'
import { OFF_HOUR_NOTE, TimelineRangeError, resolveRange, timelineBuckets } from '../projections/timeline.js'
import type { RangeRequest } from '../projections/timeline.js'
import { timelineCacheField } from '../cache/timeline-field.js'
import { badRequest } from '../plugins/problem-details.js'
import { readEventProjection } from './access.js'
import type { RouteContext } from './context.js'
import { asOfOf } from '../projections/as-of.js'
import { asOfSchema, bool, eventParams, int, object, problemResponses, security, str } from './schemas.js'

interface TimelineQuery {
  granularity: TimelineGranularity
  from?: string
  to?: string
  tz?: string
}

const BOUND = { type: 'string', minLength: 10, maxLength: 40, pattern: '^[0-9TZ:.+-]+$' } as const

const timelineQuery = {
  type: 'object',
  properties: {
    granularity: { type: 'string', enum: TIMELINE_GRANULARITIES, default: 'hour' },
    from: { ...BOUND, description: 'ISO-8601 instant (2026-03-08T00:00:00Z) or date (local midnight in tz)' },
    to: { ...BOUND, description: 'ISO-8601 instant or date; the bucket holding it is included' },
    tz: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_+/-]+$',
      description:
        "IANA time zone name or link, current or old (Asia/Kolkata, Asia/Calcutta, Etc/UTC): any name of PostgreSQL's pg_timezone_names",
    },
  },
  additionalProperties: false,
} as const

const bucket = object({
  bucketStart: { type: 'string', format: 'date-time' },
  bucketEnd: { type: 'string', format: 'date-time' },
  participants: int,
  views: int,
  engagement: int,
  conversions: int,
  cumulativeParticipants: int,
})

const timelineBody = object({
  eventId: str,
  granularity: str,
  tz: str,
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
  approximate: { ...bool, description: 'true when some local bucket boundary is not on a UTC hour; see note' },
  buckets: { type: 'array', items: bucket },
  asOf: asOfSchema,
})

export const timelineResponse = {
  ...timelineBody,
  properties: {
    ...(timelineBody['properties'] as Record<string, unknown>),
    note: { ...str, description: 'present when approximate: what the buckets hold instead' },
  },
}

const DESCRIPTION =
  'Hour buckets are UTC hours in every zone. Day, week (ISO, Monday) and month buckets are local to tz; a DST day ' +
  'lasts 23 or 25 hours. The data is kept in UTC hours, so in a zone whose offset is not a whole number of hours ' +
  '(Asia/Kolkata +05:30, Asia/Kathmandu +05:45, Australia/Adelaide +09:30/+10:30) a bucket holds the UTC hours that ' +
  'start inside its local period: bucketStart/bucketEnd are then the instants those hours cover (e.g. 00:30 local), ' +
  'and the response says approximate: true with a note.'

function rangeOrBadRequest<T>(compute: () => T): T {
  try {
    return compute()
  } catch (error) {
    if (error instanceof TimelineRangeError) throw badRequest(error.message)
    throw error
  }
}

export async function timelineRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { timelineMaxBuckets, defaultTimeZone } = context.config
  app.get<{ Params: { eventId: string }; Querystring: TimelineQuery }>(
    '/events/:eventId/analytics/timeline',
    {
      config: { etag: true, csv: 'timeline' },
      schema: {
        summary: 'Zero-filled timeline roll-up in a time zone (hour buckets are UTC hours; weeks start Monday)',
        description: DESCRIPTION,
        tags: ['analytics'],
        security,
        params: eventParams,
        querystring: timelineQuery,
        response: { 200: timelineResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { granularity, from, to } = request.query
      const tz = request.query.tz ?? defaultTimeZone
      if (!(await context.timeZones.isKnown(tz))) throw badRequest(`unknown time zone "${tz}"; use an IANA name such as Asia/Kolkata`)
      const rangeRequest: RangeRequest = {
        granularity,
        timeZone: tz,
        maxBuckets: timelineMaxBuckets,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      }
      // Explicit bounds are checked before the cache or the database is touched.
      const requested = rangeOrBadRequest(() => resolveRange(rangeRequest, undefined, context.now()))
      const { eventId } = request.params
      return readEventProjection(app, context.db, request, reply, {
        projection: 'timeline',
        key: cacheKeys.timeline(eventId, granularity),
        // Explicit bounds by their resolved instants: equivalent queries share one cached answer.
        field: timelineCacheField(tz, from === undefined ? undefined : requested.from, to === undefined ? undefined : requested.to),
        build: async (event) => {
          const span = await readTimelineSpan(context.db, eventId)
          const range = rangeOrBadRequest(() => resolveRange(rangeRequest, span, context.now()))
          const rows = await readTimeline(context.db, {
            eventId,
            unit: granularity,
            timeZone: tz,
            from: range.from,
            to: range.to,
            maxBuckets: timelineMaxBuckets,
          })
          const { buckets, approximate } = timelineBuckets(rows)
          return {
            eventId,
            granularity,
            tz,
            from: range.from.toISOString(),
            to: range.to.toISOString(),
            approximate,
            ...(approximate ? { note: OFF_HOUR_NOTE } : {}),
            buckets,
            asOf: asOfOf(event.last_occurred_at),
          }
        },
      })
    },
  )
}
