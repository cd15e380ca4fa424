/**
 * Owner alerts (docs/SPEC.md section 9a): an event's alerts, and the owner's thresholds. The
 * aggregator evaluates and writes the alerts; this module only reads them and stores settings.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { readAlertSettings, readEventAlerts, readVisibleEvent, withLiveSet, writeAlertSettings } from '@event-analytics/db'
import { canRead } from '../plugins/auth.js'
import { badRequest, notFound } from '../plugins/problem-details.js'
import { alertBody, alertSettingsBody, storedThresholds } from '../projections/alerts.js'
import type { RouteContext } from './context.js'
import {
  AlertListSchema,
  AlertSettingsSchema,
  AlertThresholdsSchema,
  Body,
  EventParamsSchema,
  UserIdSchema,
  problemResponses,
  security,
} from '../wire/schemas.js'
import type { AlertThresholds } from '../wire/schemas.js'

/** How many resolved alerts follow the open ones. */
export const RECENT_RESOLVED_ALERTS = 50

const UserParamsSchema = Body({ userId: UserIdSchema })
const THRESHOLD_FIELDS = new Set(Object.keys(AlertThresholdsSchema.properties))

/**
 * Fastify's Ajv drops unknown properties silently (removeAdditional); a setting misspelt must be
 * refused instead, naming it, or the owner believes it saved.
 */
async function refuseUnknownFields(request: FastifyRequest): Promise<void> {
  const body = request.body
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return
  const unknown = Object.keys(body).filter((field) => !THRESHOLD_FIELDS.has(field))
  if (unknown.length > 0) throw badRequest(`unknown field ${unknown.map((field) => `"${field}"`).join(', ')} in the alert settings`)
}

/** The ranges the patterns cannot say (the table's CHECKs are the backstop). */
function checkRanges(body: AlertThresholds): void {
  const factor = Number(body.channelCostFactor)
  if (factor < 1 || factor > 100) throw badRequest(`channelCostFactor must be between 1 and 100 (got ${body.channelCostFactor})`)
  const ratio = Number(body.paceRatio)
  if (ratio <= 0 || ratio > 1) throw badRequest(`paceRatio must be above 0 and at most 1 (got ${body.paceRatio})`)
}

export async function alertRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>()
  typed.get(
    '/events/:eventId/alerts',
    {
      config: { etag: true },
      schema: {
        summary: "The event's alerts: the open ones (newest first), then the recently resolved ones (newest first)",
        tags: ['alerts'],
        security,
        params: EventParamsSchema,
        response: { 200: AlertListSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { eventId } = request.params
      const event = await withLiveSet(context.db, (live) => readVisibleEvent(live, eventId))
      if (event === undefined || !canRead(request.principal, event.user_id)) throw notFound(`event ${eventId}`)
      const alerts = await readEventAlerts(context.db, eventId, RECENT_RESOLVED_ALERTS)
      return { eventId, alerts: alerts.map(alertBody) }
    },
  )
  typed.get(
    '/users/:userId/alert-settings',
    {
      schema: {
        summary: "The owner's alert thresholds (the defaults until they save some)",
        tags: ['alerts'],
        security,
        params: UserParamsSchema,
        response: { 200: AlertSettingsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { userId } = request.params
      if (!canRead(request.principal, userId)) throw notFound(`alert settings of user ${userId}`)
      return alertSettingsBody(userId, await readAlertSettings(context.db, userId))
    },
  )
  typed.put(
    '/users/:userId/alert-settings',
    {
      preValidation: refuseUnknownFields,
      schema: {
        summary: "Replaces the owner's alert thresholds (every field; unknown fields and values out of range are refused)",
        tags: ['alerts'],
        security,
        params: UserParamsSchema,
        body: AlertThresholdsSchema,
        response: { 200: AlertSettingsSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { userId } = request.params
      if (!canRead(request.principal, userId)) throw notFound(`alert settings of user ${userId}`)
      checkRanges(request.body)
      return alertSettingsBody(userId, await writeAlertSettings(context.db, userId, storedThresholds(request.body)))
    },
  )
}
