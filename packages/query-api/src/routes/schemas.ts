/** JSON schema pieces shared by the routes (they also feed the OpenAPI document). */
import { CHANNEL_TYPES } from '@event-analytics/contracts'

/** Ids are opaque upstream strings; the pattern keeps path params to a safe alphabet. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]*$'
export const CHANNEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$'

export const eventIdSchema = { type: 'string', minLength: 1, maxLength: 36, pattern: ID_PATTERN } as const
export const userIdSchema = { type: 'string', minLength: 1, maxLength: 36, pattern: ID_PATTERN } as const
export const channelNameSchema = { type: 'string', minLength: 1, maxLength: 50, pattern: CHANNEL_NAME_PATTERN } as const

export const eventParams = {
  type: 'object',
  properties: { eventId: eventIdSchema },
  required: ['eventId'],
  additionalProperties: false,
} as const

export const str = { type: 'string' } as const
export const int = { type: 'integer' } as const
export const bool = { type: 'boolean' } as const
export const nullableStr = { type: ['string', 'null'] } as const
export const nullableInt = { type: ['integer', 'null'] } as const
/** Money or a rate rendered with two fraction digits. */
export const decimal = { type: 'string', pattern: '^-?\\d+\\.\\d{2}$' } as const
export const nullableDecimal = { type: ['string', 'null'], pattern: '^-?\\d+\\.\\d{2}$' } as const
/** When the newest input of the view happened (see projections/as-of.ts). */
export const asOfSchema = { type: ['string', 'null'], format: 'date-time' } as const
export const channelTypeSchema = { type: ['string', 'null'], enum: [...CHANNEL_TYPES, null] } as const

export function object(properties: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false }
}

/** Problem responses every authenticated route may answer. */
export const problemResponses = {
  '4xx': { $ref: 'Problem#' },
  '5xx': { $ref: 'Problem#' },
} as const

export const security = [{ bearerAuth: [] }]
