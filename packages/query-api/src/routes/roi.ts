import type { FastifyInstance } from 'fastify'
import { cacheKeys } from '@event-analytics/contracts'
import { readEventChannels } from '@event-analytics/db'
import { roiBody } from '../projections/roi.js'
import { readEventProjection } from './access.js'
import type { RouteContext } from './context.js'
import {
  asOfSchema,
  channelTypeSchema,
  decimal,
  eventParams,
  int,
  nullableDecimal,
  nullableInt,
  object,
  problemResponses,
  security,
  str,
} from './schemas.js'

export const roiResponse = object({
  eventId: str,
  investment: object({
    ownInvestment: decimal,
    distributionCost: decimal,
    totalInvestment: decimal,
    channels: {
      type: 'array',
      items: object({ channelName: str, channelType: channelTypeSchema, distributionCount: int, distributionCost: decimal }),
    },
  }),
  revenue: object({
    expectedRevenue: decimal,
    estimatedRevenue: decimal,
    expectedParticipants: nullableInt,
    totalParticipants: int,
  }),
  estimatedRoi: decimal,
  targetRoi: decimal,
  roiAchievementRate: nullableDecimal,
  salesGrowthRate: nullableDecimal,
  asOf: asOfSchema,
})

export async function roiRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.get<{ Params: { eventId: string } }>(
    '/events/:eventId/analytics/roi',
    {
      config: { etag: true },
      schema: {
        summary: 'Investment breakdown, revenue, estimated ROI and target achievement',
        tags: ['analytics'],
        security,
        params: eventParams,
        response: { 200: roiResponse, ...problemResponses },
      },
    },
    async (request, reply) =>
      readEventProjection(app, context.db, request, reply, {
        projection: 'roi',
        key: cacheKeys.roi(request.params.eventId),
        build: async (event) => roiBody(event, await readEventChannels(context.db, event.event_id)),
      }),
  )
}
