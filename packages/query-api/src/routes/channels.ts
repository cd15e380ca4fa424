import { CHANNEL_TYPES } from '@event-analytics/contracts'
import type { FastifyInstance } from 'fastify'
import { cacheKeys } from '@event-analytics/contracts'
import { readEventChannel, readEventChannels } from '@event-analytics/db'
import { CHANNEL_SORT_FIELDS, channelBody, sortChannels } from '../projections/channel.js'
import type { ChannelSortField, SortOrder } from '../projections/channel.js'
import { notFound } from '../plugins/problem-details.js'
import { asOfOf } from '../projections/as-of.js'
import { readEventProjection } from './access.js'
import type { RouteContext } from './context.js'
import {
  asOfSchema,
  bool,
  channelNameSchema,
  channelTypeSchema,
  decimal,
  eventIdSchema,
  int,
  nullableDecimal,
  nullableStr,
  object,
  problemResponses,
  security,
  str,
} from './schemas.js'

export const channelResponse = object({
  channelName: str,
  channelType: channelTypeSchema,
  participants: int,
  distributionCount: int,
  distributionCost: decimal,
  impressions: int,
  views: int,
  clicks: int,
  conversions: int,
  likes: int,
  comments: int,
  shares: int,
  engagement: int,
  totalCalls: int,
  completedCalls: int,
  averageDurationSec: decimal,
  ctr: nullableDecimal,
  participationRate: nullableDecimal,
  conversionRate: nullableDecimal,
  costPerParticipant: nullableDecimal,
  callCompletionRate: nullableDecimal,
  metricsAsOf: nullableStr,
  stale: bool,
  asOf: asOfSchema,
})

interface ListQuery {
  channelType?: 'TV' | 'SNS' | 'VOICE'
  sort: ChannelSortField
  order: SortOrder
}

const listQuery = {
  type: 'object',
  properties: {
    channelType: { type: 'string', enum: [...CHANNEL_TYPES] },
    sort: { type: 'string', enum: CHANNEL_SORT_FIELDS, default: 'channelName' },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
  },
  additionalProperties: false,
} as const

export async function channelRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const staleAfter = context.config.channelStaleAfterMs
  app.get<{ Params: { eventId: string }; Querystring: ListQuery }>(
    '/events/:eventId/analytics/channels',
    {
      config: { etag: true, csv: 'channels' },
      schema: {
        summary: 'Every channel with all counters and derived rates (nulls sort last)',
        tags: ['analytics'],
        security,
        params: object({ eventId: eventIdSchema }),
        querystring: listQuery,
        response: {
          200: object({ eventId: str, asOf: asOfSchema, channels: { type: 'array', items: channelResponse } }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { channelType, sort, order } = request.query
      return readEventProjection(app, context.db, request, reply, {
        projection: 'channels',
        key: cacheKeys.channelList(request.params.eventId),
        field: `type=${channelType ?? '*'}&sort=${sort}&order=${order}`,
        build: async (event) => {
          const rows = await readEventChannels(context.db, event.event_id)
          const now = context.now()
          const channels = rows
            .filter((row) => channelType === undefined || row.channel_type === channelType)
            .map((row) => channelBody(row, now, staleAfter))
          return { eventId: event.event_id, asOf: asOfOf(event.last_occurred_at), channels: sortChannels(channels, sort, order) }
        },
      })
    },
  )

  app.get<{ Params: { eventId: string; channelName: string } }>(
    '/events/:eventId/analytics/channels/:channelName',
    {
      config: { etag: true },
      schema: {
        summary: 'One channel with all counters and derived rates',
        tags: ['analytics'],
        security,
        params: object({ eventId: eventIdSchema, channelName: channelNameSchema }),
        response: { 200: channelResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { eventId, channelName } = request.params
      return readEventProjection(app, context.db, request, reply, {
        projection: 'channel',
        key: cacheKeys.channel(eventId, channelName),
        build: async () => {
          const row = await readEventChannel(context.db, eventId, channelName)
          if (row === undefined) throw notFound(`channel ${channelName} of event ${eventId}`)
          return channelBody(row, context.now(), staleAfter)
        },
      })
    },
  )
}
