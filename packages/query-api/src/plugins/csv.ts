/**
 * CSV export of the timeline and the channel table, by content negotiation on the JSON routes
 * (so the CSV goes through the very same auth, ownership, validation and cache as the JSON):
 * a route marked `config: { csv: 'timeline' | 'channels' }` answers `Accept: text/csv` with the
 * CSV rendering of its body. `…/timeline.csv` and `…/channels.csv` are aliases that ask for CSV
 * (rewriteCsvAlias), so a plain download link works with the session cookie.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest, RawRequestDefaultExpression } from 'fastify'
import type { Kysely } from 'kysely'
import { readVisibleEvent, withLiveSet } from '@event-analytics/db'
import type { Database } from '@event-analytics/db'
import { csvDocument, decimalCell, localTime } from '../projections/csv.js'
import type { Cell } from '../projections/csv.js'
import type { ChannelList, Timeline } from '../wire/schemas.js'

export type CsvView = 'timeline' | 'channels'

declare module 'fastify' {
  interface FastifyContextConfig {
    csv?: CsvView
  }
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8'
const ALIAS = /^(\/api\/v1\/events\/[^/?]+\/analytics\/(?:timeline|channels))\.csv(\?.*)?$/

/** Fastify's rewriteUrl: `…/timeline.csv?…` is `…/timeline?…` asked for as CSV. */
export function rewriteCsvAlias(raw: RawRequestDefaultExpression): string {
  const url = raw.url ?? '/'
  const match = ALIAS.exec(url)
  if (match === null) return url
  raw.headers.accept = 'text/csv'
  return `${match[1] ?? ''}${match[2] ?? ''}`
}

function wantsCsv(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').split(',').some((type) => type.trim().toLowerCase().startsWith('text/csv'))
}

/** What the CSV reads of the timeline body. */
type TimelineJson = Pick<Timeline, 'eventId' | 'granularity' | 'tz' | 'buckets'>
/** What the CSV reads of the channel list body. */
type ChannelsJson = Pick<ChannelList, 'eventId' | 'channels'>

function timelineCsv(body: TimelineJson, title: string): string {
  const header = [
    'event_id',
    'event_title',
    'granularity',
    'time_zone',
    'bucket_start',
    'bucket_end',
    'participants',
    'views',
    'engagement',
    'conversions',
    'cumulative_participants',
  ]
  return csvDocument(
    header,
    body.buckets.map((bucket): Cell[] => [
      body.eventId,
      title,
      body.granularity,
      body.tz,
      localTime(bucket.bucketStart, body.tz),
      localTime(bucket.bucketEnd, body.tz),
      bucket.participants,
      bucket.views,
      bucket.engagement,
      bucket.conversions,
      bucket.cumulativeParticipants,
    ]),
  )
}

function channelsCsv(body: ChannelsJson, title: string, zone: string): string {
  const header = [
    'event_id',
    'event_title',
    'channel_name',
    'channel_type',
    'participants',
    'views',
    'impressions',
    'clicks',
    'conversions',
    'engagement',
    'distribution_count',
    'distribution_cost',
    'ctr_percent',
    'participation_rate_percent',
    'conversion_rate_percent',
    'cost_per_participant',
    'call_completion_rate_percent',
    'metrics_as_of',
    'stale',
  ]
  return csvDocument(
    header,
    body.channels.map((c): Cell[] => [
      body.eventId,
      title,
      c.channelName,
      c.channelType,
      c.participants,
      c.views,
      c.impressions,
      c.clicks,
      c.conversions,
      c.engagement,
      c.distributionCount,
      decimalCell(c.distributionCost),
      decimalCell(c.ctr),
      decimalCell(c.participationRate),
      decimalCell(c.conversionRate),
      decimalCell(c.costPerParticipant),
      decimalCell(c.callCompletionRate),
      c.metricsAsOf === null ? null : localTime(c.metricsAsOf, zone),
      c.stale,
    ]),
  )
}

export interface CsvOptions {
  db: Kysely<Database>
  /** Zone of the channel table's times (it has no tz parameter). */
  defaultTimeZone: string
}

async function csvPlugin(app: FastifyInstance, options: CsvOptions): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    const view = request.routeOptions.config.csv
    if (view === undefined) return payload
    reply.header('vary', 'accept')
    if (reply.statusCode !== 200 || typeof payload !== 'string' || !wantsCsv(request)) return payload
    const body = JSON.parse(payload) as { eventId: string }
    // The route has checked visibility and ownership; the title is the only thing its body lacks.
    const title = (await withLiveSet(options.db, (live) => readVisibleEvent(live, body.eventId)))?.title ?? ''
    const csv =
      view === 'timeline' ? timelineCsv(body as TimelineJson, title) : channelsCsv(body as ChannelsJson, title, options.defaultTimeZone)
    const suffix = view === 'timeline' ? `timeline-${(body as TimelineJson).granularity}` : 'channels'
    // The JSON's ETag does not describe the CSV: no validator, the download is always whole.
    reply.removeHeader('etag')
    reply.header('content-type', CSV_CONTENT_TYPE)
    reply.header('content-disposition', `attachment; filename="${body.eventId}-${suffix}.csv"`)
    return csv
  })
}

export const csvPluginFp = fp(csvPlugin, { name: 'csv', fastify: '5.x' })
