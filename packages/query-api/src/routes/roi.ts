import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { cacheKeys } from '@event-analytics/contracts'
import { readEventChannels } from '@event-analytics/db'
import { roiBody } from '../projections/roi.js'
import { answer } from './answering.js'
import { sendEventProjection } from './access.js'
import type { RouteContext } from './context.js'
import { EventParamsSchema, RoiSchema, problemResponses, security } from '../wire/schemas.js'

export async function roiRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/events/:eventId/analytics/roi',
    {
      config: { etag: true },
      schema: {
        summary: 'Investment breakdown, revenue, estimated ROI and target achievement',
        tags: ['analytics'],
        security,
        params: EventParamsSchema,
        response: { 200: RoiSchema, ...problemResponses },
      },
    },
    (request, reply) =>
      answer(reply, () =>
        sendEventProjection(app, context.db, reply, {
          eventId: request.params.eventId,
          projection: 'roi',
          key: cacheKeys.roi(request.params.eventId),
          build: async (event, db) => roiBody(event, await readEventChannels(db, event.event_id)),
        }),
      ),
  )
}
