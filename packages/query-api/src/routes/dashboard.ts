import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { cacheKeys } from '@event-analytics/contracts'
import { readEventAlerts, readEventChannels, readEventPacing } from '@event-analytics/db'
import { dashboardBody } from '../projections/dashboard.js'
import { pacingFields } from '../projections/pacing.js'
import { answer } from './answering.js'
import { sendEventProjection } from './access.js'
import type { EventReadSpec } from './access.js'
import type { RouteContext } from './context.js'
import { DashboardSchema, EventParamsSchema, problemResponses, security } from '../wire/schemas.js'
import type { Dashboard } from '../wire/schemas.js'

/** The dashboard's cache key and loader, shared by the REST route and the live stream. */
export function dashboardSpec(context: RouteContext, eventId: string): EventReadSpec<Dashboard> {
  return {
    eventId,
    projection: 'dashboard',
    key: cacheKeys.dashboard(eventId),
    build: async (event, db) =>
      dashboardBody(
        event,
        await readEventChannels(db, event.event_id),
        await context.returning.read(db, event.event_id),
        context.now(),
        context.config.channelStaleAfterMs,
        pacingFields(await readEventPacing(db, event)),
        await readEventAlerts(db, event.event_id, 0),
      ),
  }
}

export async function dashboardRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/events/:eventId/analytics',
    {
      config: { etag: true },
      schema: {
        summary: 'Event dashboard: summary figures and per-channel performance',
        tags: ['analytics'],
        security,
        params: EventParamsSchema,
        response: { 200: DashboardSchema, ...problemResponses },
      },
    },
    (request, reply) => answer(reply, () => sendEventProjection(app, context.db, reply, dashboardSpec(context, request.params.eventId))),
  )
}
