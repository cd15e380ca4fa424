import type { FastifyInstance } from 'fastify'
import { cacheKeys } from '@event-analytics/contracts'
import { readUserChannelTypeTotals, readUserEvents, readUserTotals } from '@event-analytics/db'
import { userSummaryBody } from '../projections/user-summary.js'
import { canRead } from '../plugins/auth.js'
import { badRequest, notFound } from '../plugins/problem-details.js'
import type { RouteContext } from './context.js'
import {
  asOfSchema,
  channelTypeSchema,
  decimal,
  int,
  nullableDecimal,
  object,
  problemResponses,
  security,
  str,
  userIdSchema,
} from './schemas.js'

export const MAX_PAGE_SIZE = 100

const userResponse = object({
  userId: str,
  totals: object({
    events: int,
    totalParticipants: int,
    totalViews: int,
    totalInvestment: decimal,
    expectedRevenue: decimal,
    estimatedRevenue: decimal,
    estimatedRoi: decimal,
  }),
  channelTypes: {
    type: 'array',
    items: object({
      channelType: channelTypeSchema,
      channels: int,
      participants: int,
      views: int,
      impressions: int,
      clicks: int,
      conversions: int,
      engagement: int,
      distributionCost: decimal,
      ctr: nullableDecimal,
      participationRate: nullableDecimal,
      conversionRate: nullableDecimal,
      costPerParticipant: nullableDecimal,
      callCompletionRate: nullableDecimal,
    }),
  },
  events: object({
    items: {
      type: 'array',
      items: object({
        eventId: str,
        title: str,
        status: str,
        totalParticipants: int,
        totalViews: int,
        totalInvestment: decimal,
        estimatedRevenue: decimal,
        estimatedRoi: decimal,
        createdAt: { type: 'string', format: 'date-time' },
      }),
    },
    page: int,
    limit: int,
    total: int,
  }),
  asOf: asOfSchema,
})

interface PageQuery {
  page: number
  limit: number
}

export async function userRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.get<{ Params: { userId: string }; Querystring: PageQuery }>(
    '/users/:userId/analytics',
    {
      config: { etag: true },
      schema: {
        summary: "The owner's totals across events, per channel type, and the events list (paginated)",
        tags: ['analytics'],
        security,
        params: object({ userId: userIdSchema }),
        querystring: {
          type: 'object',
          properties: {
            page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 },
          },
          additionalProperties: false,
        },
        response: { 200: userResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { userId } = request.params
      // Another user's summary is a 404, exactly like an owner without visible events.
      if (!canRead(request.principal, userId)) throw notFound(`analytics of user ${userId}`)
      const { page, limit } = request.query
      // Ajv coerces "Infinity"/"1e400" to Infinity and, with strictNumbers, then skips the
      // number keywords (minimum/maximum) for a non-finite value: reject it here (found by packages/chaos).
      if (!Number.isFinite(page) || !Number.isFinite(limit)) throw badRequest('page and limit must be finite integers')
      const { value, hit } = await app.projectionCache.get({
        projection: 'user',
        key: cacheKeys.user(userId),
        field: `page=${page}&limit=${limit}`,
        load: async () => {
          const events = await readUserEvents(context.db, userId)
          if (events.length === 0) throw notFound(`analytics of user ${userId}`)
          const totals = await readUserTotals(context.db, userId)
          const channelTypes = await readUserChannelTypeTotals(context.db, userId)
          return userSummaryBody(userId, events, totals, channelTypes, { page, limit })
        },
      })
      reply.header('x-cache', hit ? 'hit' : 'miss')
      return value
    },
  )
}
