import type { FastifyInstance } from 'fastify'
import { TIMELINE_GRANULARITIES, cacheKeys } from '@event-analytics/contracts'
import type { TimelineGranularity } from '@event-analytics/contracts'
import { readTimeline, readTimelineSpan, pgErrorCode } from '@event-analytics/db'
import { TimelineRangeError, isKnownTimeZone, resolveRange, timelineBuckets } from '../projections/timeline.js'
import type { RangeRequest } from '../projections/timeline.js'
import { timelineCacheField } from '../cache/timeline-field.js'
import { badRequest } from '../plugins/problem-details.js'
import { readEventProjection } from './access.js'
import type { RouteContext } from './context.js'
import { asOfOf } from '../projections/as-of.js'
import { asOfSchema, eventParams, int, object, problemResponses, security, str } from './schemas.js'

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
    tz: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+/-]+$', description: 'IANA time zone' },
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

export const timelineResponse = object({
  eventId: str,
  granularity: str,
  tz: str,
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
  buckets: { type: 'array', items: bucket },
  asOf: asOfSchema,
})

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
      if (!isKnownTimeZone(tz)) throw badRequest(`unknown time zone "${tz}"; use an IANA name such as Asia/Seoul`)
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
          }).catch((error: unknown) => {
            // PostgreSQL's zone list can lag Intl's: its refusal is still the caller's 400.
            if (pgErrorCode(error) === '22023') throw badRequest(`time zone "${tz}" is not known to the database`)
            throw error
          })
          return {
            eventId,
            granularity,
            tz,
            from: range.from.toISOString(),
            to: range.to.toISOString(),
            buckets: timelineBuckets(rows),
            asOf: asOfOf(event.last_occurred_at),
          }
        },
      })
    },
  )
}
