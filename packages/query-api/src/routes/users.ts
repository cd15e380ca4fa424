import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { cacheKeys } from '@event-analytics/contracts'
import { readUserChannelTypeTotals, readUserEvents, readUserTotals, withLiveSet } from '@event-analytics/db'
import { userSummaryBody } from '../projections/user-summary.js'
import { canRead } from '../plugins/auth.js'
import { badRequest, notFound } from '../plugins/problem-details.js'
import type { RouteContext } from './context.js'
import { answer } from './answering.js'
import { replySerializer, sendSerialized } from './access.js'
import { Body, Query, UserIdSchema, UserSummarySchema, problemResponses, security } from '../wire/schemas.js'

export const MAX_PAGE_SIZE = 100

const PageQuerySchema = Query({
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 }),
})

export async function userRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/users/:userId/analytics',
    {
      config: { etag: true },
      schema: {
        summary: "The owner's totals across events, per channel type, and the events list (paginated)",
        tags: ['analytics'],
        security,
        params: Body({ userId: UserIdSchema }),
        querystring: PageQuerySchema,
        response: { 200: UserSummarySchema, ...problemResponses },
      },
    },
    (request, reply) =>
      answer(reply, async () => {
        const { userId } = request.params
        // Another user's summary is a 404, exactly like an owner without visible events.
        if (!canRead(request.principal, userId)) throw notFound(`analytics of user ${userId}`)
        const { page, limit } = request.query
        // Ajv coerces "Infinity"/"1e400" to Infinity and, with strictNumbers, then skips the
        // number keywords (minimum/maximum) for a non-finite value: reject it here (found by packages/chaos).
        if (!Number.isFinite(page) || !Number.isFinite(limit)) throw badRequest('page and limit must be finite integers')
        // Cached as the text this route's schema wrote: the owner's sums are bigints (exact past
        // 2^53), which a JSON.stringify/JSON.parse round trip through the cache would break or round.
        const serialize = replySerializer(reply)
        const { value, hit } = await app.projectionCache.getText({
          projection: 'user',
          key: cacheKeys.user(userId),
          field: `page=${page}&limit=${limit}`,
          // One transaction on the live projection set (withLiveSet).
          load: () =>
            withLiveSet(context.db, async (db) => {
              const events = await readUserEvents(db, userId)
              if (events.length === 0) throw notFound(`analytics of user ${userId}`)
              const totals = await readUserTotals(db, userId)
              const channelTypes = await readUserChannelTypeTotals(db, userId)
              const returning = await context.returning.readOwner(db, userId)
              return serialize(userSummaryBody(userId, events, totals, channelTypes, returning, { page, limit }))
            }),
        })
        sendSerialized(reply, value, hit)
      }),
  )
}
