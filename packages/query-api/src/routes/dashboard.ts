import type { FastifyInstance } from 'fastify'
import { cacheKeys } from '@event-analytics/contracts'
import { readEventChannels } from '@event-analytics/db'
import { dashboardBody } from '../projections/dashboard.js'
import type { DashboardBody } from '../projections/dashboard.js'
import { readEventProjection } from './access.js'
import type { EventReadSpec } from './access.js'
import type { RouteContext } from './context.js'
import {
  asOfSchema,
  bool,
  channelTypeSchema,
  decimal,
  eventParams,
  int,
  nullableDecimal,
  object,
  problemResponses,
  security,
  str,
} from './schemas.js'

export const dashboardResponse = object({
  event: object({ eventId: str, title: str, userId: str, status: str }),
  summary: object({
    totalParticipants: int,
    totalViews: int,
    totalInvestment: decimal,
    expectedRevenue: decimal,
    estimatedRevenue: decimal,
    estimatedRoi: decimal,
    targetRoi: decimal,
    roiAchievementRate: nullableDecimal,
    salesGrowthRate: nullableDecimal,
  }),
  channels: {
    type: 'array',
    items: object({
      channelName: str,
      channelType: channelTypeSchema,
      participants: int,
      views: int,
      distributionCost: decimal,
      participationRate: nullableDecimal,
      costPerParticipant: nullableDecimal,
      stale: bool,
    }),
  },
  updatedAt: { type: 'string', format: 'date-time' },
  asOf: asOfSchema,
})

/** The dashboard's cache key and loader, shared by the REST route and the live stream. */
export function dashboardSpec(context: RouteContext, eventId: string): EventReadSpec<DashboardBody> {
  return {
    projection: 'dashboard',
    key: cacheKeys.dashboard(eventId),
    build: async (event) =>
      dashboardBody(event, await readEventChannels(context.db, event.event_id), context.now(), context.config.channelStaleAfterMs),
  }
}

export async function dashboardRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.get<{ Params: { eventId: string } }>(
    '/events/:eventId/analytics',
    {
      config: { etag: true },
      schema: {
        summary: 'Event dashboard: summary figures and per-channel performance',
        tags: ['analytics'],
        security,
        params: eventParams,
        response: { 200: dashboardResponse, ...problemResponses },
      },
    },
    async (request, reply) => readEventProjection(app, context.db, request, reply, dashboardSpec(context, request.params.eventId)),
  )
}
