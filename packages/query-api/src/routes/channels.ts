import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { CHANNEL_TYPES, cacheKeys } from '@event-analytics/contracts'
import { readEventChannel, readEventChannels } from '@event-analytics/db'
import { CHANNEL_SORT_FIELDS, channelBody, sortChannels } from '../projections/channel.js'
import { notFound } from '../plugins/problem-details.js'
import { asOfOf } from '../projections/as-of.js'
import { answer } from './answering.js'
import { sendEventProjection } from './access.js'
import type { RouteContext } from './context.js'
import {
  Body,
  ChannelListSchema,
  ChannelNameSchema,
  ChannelSchema,
  EventIdSchema,
  Query,
  StringEnum,
  problemResponses,
  security,
  JsonOrCsv,
} from '../wire/schemas.js'

const ListQuerySchema = Query({
  channelType: Type.Optional(StringEnum(CHANNEL_TYPES)),
  sort: StringEnum(CHANNEL_SORT_FIELDS, { default: 'channelName' }),
  order: StringEnum(['asc', 'desc'], { default: 'asc' }),
})

export async function channelRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const staleAfter = context.config.channelStaleAfterMs
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  api.get(
    '/events/:eventId/analytics/channels',
    {
      config: { etag: true, csv: 'channels' },
      schema: {
        summary: 'Every channel with all counters and derived rates (nulls sort last)',
        tags: ['analytics'],
        security,
        params: Body({ eventId: EventIdSchema }),
        querystring: ListQuerySchema,
        response: {
          200: JsonOrCsv(
            ChannelListSchema,
            'UTF-8 CSV with a BOM, CRLF, a header row, one row per channel (`…/channels.csv` asks for it too)',
          ),
          ...problemResponses,
        },
      },
    },
    (request, reply) =>
      answer(reply, async () => {
        const { channelType, sort, order } = request.query
        await sendEventProjection(app, context.db, reply, {
          eventId: request.params.eventId,
          projection: 'channels',
          key: cacheKeys.channelList(request.params.eventId),
          field: `type=${channelType ?? '*'}&sort=${sort}&order=${order}`,
          build: async (event, db) => {
            const rows = await readEventChannels(db, event.event_id)
            const now = context.now()
            const channels = rows
              .filter((row) => channelType === undefined || row.channel_type === channelType)
              .map((row) => channelBody(row, now, staleAfter))
            return { eventId: event.event_id, asOf: asOfOf(event.last_occurred_at), channels: sortChannels(channels, sort, order) }
          },
        })
      }),
  )

  api.get(
    '/events/:eventId/analytics/channels/:channelName',
    {
      config: { etag: true },
      schema: {
        summary: 'One channel with all counters and derived rates',
        tags: ['analytics'],
        security,
        params: Body({ eventId: EventIdSchema, channelName: ChannelNameSchema }),
        response: { 200: ChannelSchema, ...problemResponses },
      },
    },
    (request, reply) =>
      answer(reply, async () => {
        const { eventId, channelName } = request.params
        await sendEventProjection(app, context.db, reply, {
          eventId,
          projection: 'channel',
          key: cacheKeys.channel(eventId, channelName),
          build: async (_event, db) => {
            const row = await readEventChannel(db, eventId, channelName)
            if (row === undefined) throw notFound(`channel ${channelName} of event ${eventId}`)
            return channelBody(row, context.now(), staleAfter)
          },
        })
      }),
  )
}
