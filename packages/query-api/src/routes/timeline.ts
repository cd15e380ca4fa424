import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { TIMELINE_GRANULARITIES, cacheKeys } from '@event-analytics/contracts'
import { readTimeline, readTimelineSpan } from '@event-analytics/db'
import { OFF_HOUR_NOTE, TimelineRangeError, resolveRange, timelineBuckets } from '../projections/timeline.js'
import type { RangeRequest } from '../projections/timeline.js'
import { timelineCacheField } from '../cache/timeline-field.js'
import { badRequest } from '../plugins/problem-details.js'
import { answer } from './answering.js'
import { sendEventProjection } from './access.js'
import type { RouteContext } from './context.js'
import { asOfOf } from '../projections/as-of.js'
import { EventParamsSchema, Query, StringEnum, TimelineSchema, problemResponses, security, JsonOrCsv } from '../wire/schemas.js'
import type { Timeline } from '../wire/schemas.js'

const BOUND = { minLength: 10, maxLength: 40, pattern: '^[0-9TZ:.+-]+$' } as const

const TimelineQuerySchema = Query({
  granularity: StringEnum(TIMELINE_GRANULARITIES, { default: 'hour' }),
  from: Type.Optional(Type.String({ ...BOUND, description: 'ISO-8601 instant (2026-03-08T00:00:00Z) or date (local midnight in tz)' })),
  to: Type.Optional(Type.String({ ...BOUND, description: 'ISO-8601 instant or date; the bucket holding it is included' })),
  tz: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_+/-]+$',
      description:
        "IANA time zone name or link, current or old (Asia/Kolkata, Asia/Calcutta, Etc/UTC): any name of PostgreSQL's pg_timezone_names",
    }),
  ),
})

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
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/events/:eventId/analytics/timeline',
    {
      config: { etag: true, csv: 'timeline' },
      schema: {
        summary: 'Zero-filled timeline roll-up in a time zone (hour buckets are UTC hours; weeks start Monday)',
        description: DESCRIPTION,
        tags: ['analytics'],
        security,
        params: EventParamsSchema,
        querystring: TimelineQuerySchema,
        response: {
          200: JsonOrCsv(TimelineSchema, 'UTF-8 CSV with a BOM, CRLF, a header row, one row per bucket (`…/timeline.csv` asks for it too)'),
          ...problemResponses,
        },
      },
    },
    (request, reply) =>
      answer(reply, async () => {
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
        await sendEventProjection(app, context.db, reply, {
          eventId,
          projection: 'timeline',
          key: cacheKeys.timeline(eventId, granularity),
          // Explicit bounds by their resolved instants: equivalent queries share one cached answer.
          field: timelineCacheField(tz, from === undefined ? undefined : requested.from, to === undefined ? undefined : requested.to),
          build: async (event, db): Promise<Timeline> => {
            const span = await readTimelineSpan(db, eventId)
            const range = rangeOrBadRequest(() => resolveRange(rangeRequest, span, context.now()))
            const rows = await readTimeline(db, {
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
      }),
  )
}
