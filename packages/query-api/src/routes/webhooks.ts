/**
 * The owner's webhooks (docs/SPEC.md section 9a): register an endpoint (its signing secret is
 * answered once), list and delete them, read the delivery log. The URL is checked against the
 * SSRF rules here and again by the dispatcher before every attempt. Reads are the owner's and
 * the operators'; changes are the owner's alone.
 */
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { webhookIdempotencyKey } from '@event-analytics/contracts'
import {
  countWebhookEndpoints,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  readDeliveryLog,
} from '@event-analytics/db'
import { newWebhookSecret, resolveWebhookTarget, type HostLookup } from '@event-analytics/ops'
import type { Principal } from '../auth/verifier.js'
import { canRead } from '../plugins/auth.js'
import { ProblemError, notFound } from '../plugins/problem-details.js'
import type { RouteContext } from './context.js'
import {
  Body,
  NoBodySchema,
  Query,
  UserIdSchema,
  WebhookCreateSchema,
  WebhookCreatedSchema,
  WebhookDeliveriesSchema,
  WebhookListSchema,
  WebhookParamsSchema,
  problemResponses,
  security,
} from '../wire/schemas.js'

/** problem+json types of this resource's refusals. */
export const WEBHOOK_URL_REFUSED = 'urn:event-analytics:problem:webhook-url-refused'
export const WEBHOOK_LIMIT_REACHED = 'urn:event-analytics:problem:webhook-limit-reached'
export const WEBHOOK_OWNER_ONLY = 'urn:event-analytics:problem:webhook-owner-only'

export interface WebhookRouteContext extends RouteContext {
  /** Host resolution for the URL check (tests pin it); the system's resolver by default. */
  readonly webhookLookup?: HostLookup
}

const UserParams = Body({ userId: UserIdSchema })
const DeliveryQuery = Query({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) })

/** Another owner's webhooks answer 404, like a missing user; an operator reads but does not change them. */
function mayChange(principal: Principal | null, userId: string): void {
  if (!canRead(principal, userId)) throw notFound(`webhooks of user ${userId}`)
  if (principal?.sub !== userId)
    throw new ProblemError(403, 'only the owner changes their webhooks; operators may read them', WEBHOOK_OWNER_ONLY)
}

export async function webhookRoutes(app: FastifyInstance, context: WebhookRouteContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const tags = ['webhooks']
  api.post(
    '/users/:userId/webhooks',
    {
      schema: {
        summary: 'Register an endpoint for alert transitions; the signing secret is in this answer only',
        tags,
        security,
        params: UserParams,
        body: WebhookCreateSchema,
        response: { 201: WebhookCreatedSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { userId } = request.params
      mayChange(request.principal, userId)
      const { webhooks } = context.config
      const target = await resolveWebhookTarget(request.body.url, {
        allowHttp: webhooks.allowHttp,
        allowPrivateAddresses: webhooks.allowPrivateAddresses,
        ...(context.webhookLookup === undefined ? {} : { lookup: context.webhookLookup }),
      })
      if (!target.ok) throw new ProblemError(400, `webhook URL refused: ${target.reason}`, WEBHOOK_URL_REFUSED)
      if ((await countWebhookEndpoints(context.db, userId)) >= webhooks.maxEndpoints)
        throw new ProblemError(409, `an owner may have ${webhooks.maxEndpoints} webhook endpoints; delete one first`, WEBHOOK_LIMIT_REACHED)
      const secret = newWebhookSecret()
      const endpoint = await createWebhookEndpoint(context.db, { userId, url: target.url.href, secret })
      return reply.code(201).send({ id: endpoint.id, url: endpoint.url, createdAt: endpoint.createdAt.toISOString(), secret })
    },
  )
  api.get(
    '/users/:userId/webhooks',
    {
      schema: {
        summary: "The owner's webhook endpoints (never their secrets)",
        tags,
        security,
        params: UserParams,
        response: { 200: WebhookListSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { userId } = request.params
      if (!canRead(request.principal, userId)) throw notFound(`webhooks of user ${userId}`)
      const endpoints = await listWebhookEndpoints(context.db, userId)
      return {
        webhooks: endpoints.map((endpoint) => ({ id: endpoint.id, url: endpoint.url, createdAt: endpoint.createdAt.toISOString() })),
      }
    },
  )
  api.delete(
    '/users/:userId/webhooks/:id',
    {
      schema: {
        summary: 'Delete an endpoint: nothing more is delivered to it; its deliveries stay in the log',
        tags,
        security,
        params: WebhookParamsSchema,
        response: { 204: NoBodySchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { userId, id } = request.params
      mayChange(request.principal, userId)
      if (!(await deleteWebhookEndpoint(context.db, userId, id))) throw notFound(`webhook ${id}`)
      return reply.code(204).send()
    },
  )
  api.get(
    '/users/:userId/webhooks/deliveries',
    {
      schema: {
        summary: "The owner's webhook deliveries, newest first: attempts, last status or error, next attempt, delivered at",
        tags,
        security,
        params: UserParams,
        querystring: DeliveryQuery,
        response: { 200: WebhookDeliveriesSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { userId } = request.params
      if (!canRead(request.principal, userId)) throw notFound(`webhooks of user ${userId}`)
      const rows = await readDeliveryLog(context.db, userId, request.query.limit)
      const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString())
      return {
        deliveries: rows.map((row) => ({
          id: row.id,
          transitionId: row.transitionId,
          endpointId: row.endpointId,
          url: row.url,
          idempotencyKey: webhookIdempotencyKey(row.transitionId, row.endpointId),
          attempts: row.attempts,
          lastStatus: row.lastStatus,
          lastError: row.lastError,
          nextAttemptAt: iso(row.nextAttemptAt),
          deliveredAt: iso(row.deliveredAt),
          givenUpAt: iso(row.givenUpAt),
          createdAt: row.createdAt.toISOString(),
        })),
      }
    },
  )
}
