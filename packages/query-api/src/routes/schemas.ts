/**
 * The API's wire contract, written once (TypeBox): each schema validates requests (Ajv),
 * serialises responses (fast-json-stringify), feeds the OpenAPI document at /docs, and its
 * `Static` type is the TypeScript type of the body. The projections return these types, and the
 * page (packages/dashboard-web) imports them as types from `@event-analytics/query-api/schemas`.
 *
 * Invariant: every builder here emits exactly the JSON Schema the API used before TypeBox.
 * Nullable values are `type: [T, 'null']` (not TypeBox's `anyOf` unions) and enums are
 * `{ type: 'string', enum }` (not unions of literals): the serializer, Ajv's error messages and
 * the OpenAPI `nullable`/`enum` output stay as they were. This file imports nothing but TypeBox
 * and contracts' domain values, so the page can read its types.
 */
import { Type } from '@sinclair/typebox'
import type { Static, StringOptions, TObject, TProperties, TSchema, TUnsafe } from '@sinclair/typebox'
import { CHANNEL_TYPES } from '@event-analytics/contracts'
import type { ChannelType } from '@event-analytics/contracts'

/** Ids are opaque upstream strings; the pattern keeps path params to a safe alphabet. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]*$'
export const CHANNEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$'
const DECIMAL_PATTERN = '^-?\\d+\\.\\d{2}$'

/** `{ type: ['string', 'null'], ...options }`: a string or null. */
export const NullableString = <T extends string = string>(options: StringOptions = {}): TUnsafe<T | null> =>
  Type.Unsafe<T | null>({ type: ['string', 'null'], ...options })

/** `{ type: 'string', enum }`: one of `values`. */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { default?: T[number] } = {}): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })

/**
 * An object whose properties all must be present and nothing else: the shape of every body.
 * (TypeBox lists the required keys in property order and adds `additionalProperties: false`.)
 */
export const Body = <T extends TProperties>(properties: T): TObject<T> => Type.Object(properties, { additionalProperties: false })

/**
 * A querystring: no parameter is required on the wire (the schema has no `required` list), yet a
 * parameter with a `default` is never absent in the handler, because Fastify's Ajv
 * (`useDefaults`) fills it in before the handler runs. So a parameter is either Type.Optional or
 * has a default; the check below refuses a schema that breaks that at start.
 */
export function Query<T extends TProperties>(properties: T): TObject<T> {
  const { required, ...schema } = Type.Object(properties, { additionalProperties: false })
  for (const name of (required ?? []) as readonly string[]) {
    const property: TSchema | undefined = properties[name]
    if (property?.default === undefined) throw new Error(`query parameter ${name} needs Type.Optional or a default`)
  }
  return schema as TObject<T>
}

export const EventIdSchema = Type.String({ minLength: 1, maxLength: 36, pattern: ID_PATTERN })
export const UserIdSchema = Type.String({ minLength: 1, maxLength: 36, pattern: ID_PATTERN })
export const ChannelNameSchema = Type.String({ minLength: 1, maxLength: 50, pattern: CHANNEL_NAME_PATTERN })
export const EventParamsSchema = Body({ eventId: EventIdSchema })

/** Money or a rate rendered with two fraction digits. */
export const DecimalSchema = Type.String({ pattern: DECIMAL_PATTERN })
export const NullableDecimalSchema = NullableString({ pattern: DECIMAL_PATTERN })
export const InstantSchema = Type.String({ format: 'date-time' })
/** When the newest input of the view happened (see projections/as-of.ts). */
export const AsOfSchema = NullableString({ format: 'date-time' })
export const ChannelTypeSchema = Type.Unsafe<ChannelType | null>({ type: ['string', 'null'], enum: [...CHANNEL_TYPES, null] })
const NullableIntegerSchema = Type.Unsafe<number | null>({ type: ['integer', 'null'] })

/** RFC 9457 problem details: the body of every answer >= 400 (plugins/problem-details.ts). */
export const ProblemSchema = Type.Object(
  { type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.String(), instance: Type.String() },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
)
export type Problem = Static<typeof ProblemSchema>

/** Problem responses every authenticated route may answer (ProblemSchema, registered by its $id). */
const ProblemRef = Type.Unsafe<Problem>({ $ref: 'Problem#' })
export const problemResponses = { '4xx': ProblemRef, '5xx': ProblemRef }

export const security = [{ bearerAuth: [] }]

export const EventHeaderSchema = Body({ eventId: Type.String(), title: Type.String(), userId: Type.String(), status: Type.String() })
export type EventHeader = Static<typeof EventHeaderSchema>

export const EventSummarySchema = Body({
  totalParticipants: Type.Integer(),
  totalViews: Type.Integer(),
  totalInvestment: DecimalSchema,
  expectedRevenue: DecimalSchema,
  estimatedRevenue: DecimalSchema,
  estimatedRoi: DecimalSchema,
  targetRoi: DecimalSchema,
  roiAchievementRate: NullableDecimalSchema,
  salesGrowthRate: NullableDecimalSchema,
})
export type EventSummary = Static<typeof EventSummarySchema>

export const DashboardChannelSchema = Body({
  channelName: Type.String(),
  channelType: ChannelTypeSchema,
  participants: Type.Integer(),
  views: Type.Integer(),
  distributionCost: DecimalSchema,
  participationRate: NullableDecimalSchema,
  costPerParticipant: NullableDecimalSchema,
  stale: Type.Boolean(),
})
export type DashboardChannel = Static<typeof DashboardChannelSchema>

export const DashboardSchema = Body({
  event: EventHeaderSchema,
  summary: EventSummarySchema,
  channels: Type.Array(DashboardChannelSchema),
  updatedAt: InstantSchema,
  asOf: AsOfSchema,
})
export type Dashboard = Static<typeof DashboardSchema>

export const ChannelSchema = Body({
  channelName: Type.String(),
  channelType: ChannelTypeSchema,
  participants: Type.Integer(),
  distributionCount: Type.Integer(),
  distributionCost: DecimalSchema,
  impressions: Type.Integer(),
  views: Type.Integer(),
  clicks: Type.Integer(),
  conversions: Type.Integer(),
  likes: Type.Integer(),
  comments: Type.Integer(),
  shares: Type.Integer(),
  engagement: Type.Integer(),
  totalCalls: Type.Integer(),
  completedCalls: Type.Integer(),
  averageDurationSec: DecimalSchema,
  ctr: NullableDecimalSchema,
  participationRate: NullableDecimalSchema,
  conversionRate: NullableDecimalSchema,
  costPerParticipant: NullableDecimalSchema,
  callCompletionRate: NullableDecimalSchema,
  metricsAsOf: NullableString(),
  stale: Type.Boolean(),
  asOf: AsOfSchema,
})
export type Channel = Static<typeof ChannelSchema>

export const ChannelListSchema = Body({ eventId: Type.String(), asOf: AsOfSchema, channels: Type.Array(ChannelSchema) })
export type ChannelList = Static<typeof ChannelListSchema>

export const RoiSchema = Body({
  eventId: Type.String(),
  investment: Body({
    ownInvestment: DecimalSchema,
    distributionCost: DecimalSchema,
    totalInvestment: DecimalSchema,
    channels: Type.Array(
      Body({
        channelName: Type.String(),
        channelType: ChannelTypeSchema,
        distributionCount: Type.Integer(),
        distributionCost: DecimalSchema,
      }),
    ),
  }),
  revenue: Body({
    expectedRevenue: DecimalSchema,
    estimatedRevenue: DecimalSchema,
    expectedParticipants: NullableIntegerSchema,
    totalParticipants: Type.Integer(),
  }),
  estimatedRoi: DecimalSchema,
  targetRoi: DecimalSchema,
  roiAchievementRate: NullableDecimalSchema,
  salesGrowthRate: NullableDecimalSchema,
  asOf: AsOfSchema,
})
export type Roi = Static<typeof RoiSchema>

export const TimelineBucketSchema = Body({
  bucketStart: InstantSchema,
  bucketEnd: InstantSchema,
  participants: Type.Integer(),
  views: Type.Integer(),
  engagement: Type.Integer(),
  conversions: Type.Integer(),
  cumulativeParticipants: Type.Integer(),
})
export type TimelineBucket = Static<typeof TimelineBucketSchema>

export const TimelineSchema = Body({
  eventId: Type.String(),
  granularity: Type.String(),
  tz: Type.String(),
  from: InstantSchema,
  to: InstantSchema,
  approximate: Type.Boolean({ description: 'true when some local bucket boundary is not on a UTC hour; see note' }),
  buckets: Type.Array(TimelineBucketSchema),
  asOf: AsOfSchema,
  note: Type.Optional(Type.String({ description: 'present when approximate: what the buckets hold instead' })),
})
export type Timeline = Static<typeof TimelineSchema>

export const UserTotalsSchema = Body({
  events: Type.Integer(),
  totalParticipants: Type.Integer(),
  totalViews: Type.Integer(),
  totalInvestment: DecimalSchema,
  expectedRevenue: DecimalSchema,
  estimatedRevenue: DecimalSchema,
  estimatedRoi: DecimalSchema,
})

export const UserChannelTypeSchema = Body({
  channelType: ChannelTypeSchema,
  channels: Type.Integer(),
  participants: Type.Integer(),
  views: Type.Integer(),
  impressions: Type.Integer(),
  clicks: Type.Integer(),
  conversions: Type.Integer(),
  engagement: Type.Integer(),
  distributionCost: DecimalSchema,
  ctr: NullableDecimalSchema,
  participationRate: NullableDecimalSchema,
  conversionRate: NullableDecimalSchema,
  costPerParticipant: NullableDecimalSchema,
  callCompletionRate: NullableDecimalSchema,
})
export type UserChannelType = Static<typeof UserChannelTypeSchema>

export const UserEventSchema = Body({
  eventId: Type.String(),
  title: Type.String(),
  status: Type.String(),
  totalParticipants: Type.Integer(),
  totalViews: Type.Integer(),
  totalInvestment: DecimalSchema,
  estimatedRevenue: DecimalSchema,
  estimatedRoi: DecimalSchema,
  createdAt: InstantSchema,
})
export type UserEvent = Static<typeof UserEventSchema>

/** The owner's summary; `asOf` is the newest input of any of their events. */
export const UserSummarySchema = Body({
  userId: Type.String(),
  totals: UserTotalsSchema,
  channelTypes: Type.Array(UserChannelTypeSchema),
  events: Body({ items: Type.Array(UserEventSchema), page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() }),
  asOf: AsOfSchema,
})
export type UserSummary = Static<typeof UserSummarySchema>

/** No body (204, 303): OpenAPI's `type: 'null'`, and the handler sends nothing (`reply.send()`). */
export const NoBodySchema = Type.Unsafe<undefined>({ type: 'null' })

/** GET /auth/me. */
export const MeSchema = Body({ sub: Type.String(), operator: Type.Boolean() })
export type Me = Static<typeof MeSchema>

/**
 * The stream's `pipeline` frames (live/feeds.ts writes them with JSON.stringify; an SSE frame
 * has no response schema, so this one only types them).
 */
export const PipelineFrameSchema = Body({
  asOf: AsOfSchema,
  ageSeconds: Type.Unsafe<number | null>({ type: ['number', 'null'] }),
  lagSeconds: Type.Unsafe<number | null>({ type: ['number', 'null'] }),
  sentAt: InstantSchema,
})
export type PipelineFrame = Static<typeof PipelineFrameSchema>
