/**
 * The API's wire contract, written once (TypeBox): each schema validates requests (Ajv),
 * serialises responses (fast-json-stringify), feeds the OpenAPI document at /docs, and its
 * `Static` type is the TypeScript type of the body. The projections return these types, and the
 * page (packages/dashboard-web) imports them as types from `@event-analytics/query-api/schemas`.
 *
 * Invariant: every builder here emits plain JSON Schema. Nullable values are `type: [T, 'null']`
 * (not TypeBox's `anyOf` unions) and enums are `{ type: 'string', enum }` (not unions of
 * literals), which the serializer, Ajv's error messages and the OpenAPI `nullable`/`enum` output
 * handle directly. This module sits below everything that uses it (routes, plugins, projections,
 * live feeds): it imports nothing but TypeBox and contracts' domain values, so the page can read
 * its types too.
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
export const AsOfSchema = NullableString({
  format: 'date-time',
  description:
    'When the newest input applied to the view happened (its occurredAt; one dated ahead counts as of the commit that applied it, so never in the future); null when unknown',
})
const NullableNumberSchema = (description: string) => Type.Unsafe<number | null>({ type: ['number', 'null'], description })
/** When the event's newest ingest commit happened (see projections/as-of.ts). */
export const CommittedAtSchema = NullableString({
  format: 'date-time',
  description:
    'When the newest batch that applied messages of the event committed (channel-metrics refreshes do not count); null until one did',
})
/** The pipeline's own delay at that commit (see projections/as-of.ts). */
export const PipelineDelaySchema = NullableNumberSchema(
  "Seconds from the ingest worker reading the commit's messages from Kafka to the commit: the pipeline's own delay, " +
    'not the age of the data (see asOf); null when unknown',
)
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
  /** docs/SPEC.md section 9a: participants whose earliest registration in the event came through this channel. */
  newParticipants: Type.Integer({
    description: 'Of the participants first registered through this channel, those for whom this is their first event of the owner',
  }),
  returningParticipants: Type.Integer({
    description: 'Of the participants first registered through this channel, those who joined an earlier event of the owner',
  }),
})
export type DashboardChannel = Static<typeof DashboardChannelSchema>

/** Body(properties) or null: `type: ['object', 'null']`, like the other nullable values here. */
const NullableBody = <T extends TProperties>(properties: T, description: string) => {
  const body = Body(properties)
  return Type.Unsafe<Static<typeof body> | null>({ ...body, type: ['object', 'null'], description })
}

export const PACING_PHASES = ['NOT_STARTED', 'RUNNING', 'ENDED'] as const
export const PACING_UNAVAILABLE_REASONS = ['NO_SCHEDULE', 'NO_EXPECTED_PARTICIPANTS', 'NO_AS_OF'] as const
const ProjectedCountsSchema = Body({ expected: Type.Integer(), low: Type.Integer(), high: Type.Integer() })
const ProjectedRoiSchema = Body({ expected: DecimalSchema, low: DecimalSchema, high: DecimalSchema })

/** Pacing of a scheduled event (docs/SPEC.md section 9a; computed by packages/db pacing/pacing.ts). */
export const PacingSchema = NullableBody(
  {
    asOf: Type.String({ format: 'date-time', description: "The instant the pacing is computed at: the event's asOf, never later" }),
    startsAt: InstantSchema,
    endsAt: InstantSchema,
    phase: StringEnum(PACING_PHASES),
    elapsedFraction: Type.Number({ minimum: 0, maximum: 1, description: 'Share of [startsAt, endsAt] elapsed at asOf, clamped' }),
    participants: Type.Integer(),
    expectedParticipants: Type.Integer(),
    expectedSoFar: Type.Integer({ description: 'expectedParticipants x elapsedFraction, rounded half-up' }),
    pacePercent: NullableString({
      pattern: DECIMAL_PATTERN,
      description: 'participants / expectedSoFar x 100; null while expectedSoFar is 0',
    }),
    recentHourlyRate: NullableBody(
      {
        hours: Type.Integer({ minimum: 1 }),
        from: InstantSchema,
        to: InstantSchema,
        perHour: Type.Number(),
        low: Type.Number(),
        high: Type.Number(),
      },
      'Participants per hour over the whole UTC hours [from, to) before asOf (at most 24, none before startsAt): mean, and the lower/upper quartile of the hourly counts widened to include the mean; null before the start, after the end, or before one whole hour has passed',
    ),
    projection: NullableBody(
      { at: InstantSchema, participants: ProjectedCountsSchema, estimatedRoi: ProjectedRoiSchema },
      'At endsAt: participants + rate x hours left for the mean (expected), low and high rates, and estimatedRoi by the same formula as summary.estimatedRoi over those counts with the investment as of asOf; the final figures once ended (from endsAt on, or once the event is ENDED or ARCHIVED); null when not started or no recent rate',
    ),
    method: Type.String({ description: 'How the figures above are computed, in words' }),
  },
  'Participants against the schedule; null when the event cannot be paced (see pacingUnavailable)',
)
export type Pacing = NonNullable<Static<typeof PacingSchema>>

export const PacingUnavailableSchema = NullableBody(
  { reason: StringEnum(PACING_UNAVAILABLE_REASONS), detail: Type.String() },
  'Why pacing is null (no schedule, no expectedParticipants above 0); null when pacing is given',
)
export type PacingUnavailable = NonNullable<Static<typeof PacingUnavailableSchema>>
export const ALERT_RULES = ['channel_silent', 'channel_cost_high', 'provider_stale', 'pace_low', 'roi_projected_low'] as const
export type AlertRule = (typeof ALERT_RULES)[number]

/** One alert of an event (docs/SPEC.md section 9a): what it is about, and when it opened and resolved. */
export const AlertSchema = Body({
  id: Type.Integer(),
  rule: StringEnum(ALERT_RULES),
  channelName: NullableString(),
  state: StringEnum(['open', 'resolved'] as const),
  openedAt: InstantSchema,
  resolvedAt: NullableString({ format: 'date-time' }),
  details: Type.Unsafe<Record<string, string | number | boolean | null>>({
    type: 'object',
    additionalProperties: true,
    description: 'The figures behind the alert, by rule (e.g. silentSince, channelCostPerParticipant); money as exact decimal strings',
  }),
})
export type Alert = Static<typeof AlertSchema>

/** GET /events/{eventId}/alerts: the open alerts (newest first), then the recently resolved ones. */
export const AlertListSchema = Body({ eventId: Type.String(), alerts: Type.Array(AlertSchema) })
export type AlertList = Static<typeof AlertListSchema>
/** When the returning-participants fold last ran (docs/SPEC.md section 9a). */
export const ReturningAsOfSchema = NullableString({
  format: 'date-time',
  description:
    'The new/returning figures count every participant registration committed before this instant (the off-path fold that computes them); null until it first ran',
})

/** New vs returning participants of one event (docs/SPEC.md section 9a). */
export const ReturningSchema = Type.Object(
  {
    newParticipants: Type.Integer({
      description: "Distinct participants whose first participation among the owner's events (by occurredAt) is this event",
    }),
    returningParticipants: Type.Integer({
      description: 'Distinct participants who joined an earlier event of the same owner (by occurredAt)',
    }),
    costPerNewParticipant: NullableDecimalSchema,
    withoutChannel: Body({ newParticipants: Type.Integer(), returningParticipants: Type.Integer() }),
    asOf: ReturningAsOfSchema,
  },
  {
    additionalProperties: false,
    description:
      'Counted per distinct participantId, as of asOf (registrations) and of the read (owners): an earlier participation or an owner learned later corrects it. costPerNewParticipant = totalInvestment / newParticipants (two digits, half up; null without new participants). withoutChannel: participants whose earliest registration named no channel',
  },
)
export type Returning = Static<typeof ReturningSchema>

export const DashboardSchema = Body({
  event: EventHeaderSchema,
  summary: EventSummarySchema,
  returning: ReturningSchema,
  channels: Type.Array(DashboardChannelSchema),
  updatedAt: InstantSchema,
  asOf: AsOfSchema,
  committedAt: CommittedAtSchema,
  pipelineDelaySeconds: PipelineDelaySchema,
  pacing: PacingSchema,
  pacingUnavailable: PacingUnavailableSchema,
  /** The event's open alerts, newest first: the live stream carries them with the figures. */
  alerts: Type.Array(AlertSchema),
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

/**
 * A JSON integer that may pass 2^53: an owner's sums over all their events and channels. The
 * server holds it as a bigint (db read-user-summary.ts) and fast-json-stringify writes its digits
 * exactly; a JSON reader gets a number (exact up to 2^53) or, with a big-number parser, every digit.
 */
const SumCountSchema = Type.Unsafe<number | bigint>({ type: 'integer' })

export const UserTotalsSchema = Body({
  events: Type.Integer(),
  totalParticipants: SumCountSchema,
  totalViews: SumCountSchema,
  totalInvestment: DecimalSchema,
  expectedRevenue: DecimalSchema,
  estimatedRevenue: DecimalSchema,
  estimatedRoi: DecimalSchema,
})

export const UserChannelTypeSchema = Body({
  channelType: ChannelTypeSchema,
  channels: Type.Integer(),
  participants: SumCountSchema,
  views: SumCountSchema,
  impressions: SumCountSchema,
  clicks: SumCountSchema,
  conversions: SumCountSchema,
  engagement: SumCountSchema,
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
  newParticipants: Type.Integer(),
  returningParticipants: Type.Integer(),
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
  /** The events' newParticipants / returningParticipants are as of this (docs/SPEC.md section 9a). */
  returningAsOf: ReturningAsOfSchema,
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
  ageSeconds: NullableNumberSchema('Seconds from asOf to sentAt: how old the newest data is (grows while nothing happens)'),
  committedAt: CommittedAtSchema,
  pipelineDelaySeconds: PipelineDelaySchema,
  sentAt: InstantSchema,
})
export type PipelineFrame = Static<typeof PipelineFrameSchema>

/**
 * A 200 that is `schema` as JSON, or its CSV rendering for `Accept: text/csv` and the `.csv`
 * alias (plugins/csv.ts): both media types appear in the OpenAPI document. Fastify serialises
 * the JSON by the `application/json` entry; the CSV plugin rewrites it after that.
 */
export const JsonOrCsv = <T extends TSchema>(schema: T, csv: string) => ({
  description: 'The JSON body, or with `Accept: text/csv` (or the `.csv` alias) the same view as CSV',
  content: {
    'application/json': { schema },
    'text/csv': { schema: Type.String({ description: csv }) },
  },
})

/** The editable thresholds of an owner's alerts (PUT body and GET answer); decimals as strings, exact. */
export const AlertThresholdsSchema = Body({
  channelSilentEnabled: Type.Boolean(),
  channelSilentHours: Type.Integer({
    minimum: 1,
    maximum: 168,
    description: 'Hours without a participant before a distributed channel counts as silent',
  }),
  channelCostHighEnabled: Type.Boolean(),
  channelCostFactor: Type.String({
    pattern: '^\\d{1,3}(\\.\\d{1,2})?$',
    description: "k, 1 to 100 (two decimals at most): a channel's cost per participant above k x the event's is alerted",
  }),
  providerStaleEnabled: Type.Boolean(),
  providerStaleMinutes: Type.Integer({
    minimum: 5,
    maximum: 10080,
    description: "Minutes after which a channel's provider metrics count as stale",
  }),
  paceLowEnabled: Type.Boolean(),
  paceRatio: Type.String({
    pattern: '^[01](\\.\\d{1,2})?$',
    description: 'Participants below this share of the expected count so far is alerted; above 0, at most 1 (two decimals at most)',
  }),
  roiProjectedLowEnabled: Type.Boolean(),
})
export type AlertThresholds = Static<typeof AlertThresholdsSchema>

/** GET/PUT /users/{userId}/alert-settings answer: the thresholds in force (`saved` false: the defaults). */
export const AlertSettingsSchema = Body({ userId: Type.String(), saved: Type.Boolean(), thresholds: AlertThresholdsSchema })
export type AlertSettings = Static<typeof AlertSettingsSchema>
/** POST /users/{userId}/webhooks (docs/SPEC.md section 9a). */
export const WebhookCreateSchema = Body({
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'https:// URL the alert transitions are POSTed to' }),
})
export type WebhookCreate = Static<typeof WebhookCreateSchema>

const WebhookIdSchema = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
export const WebhookParamsSchema = Body({ userId: UserIdSchema, id: WebhookIdSchema })

export const WebhookEndpointSchema = Body({ id: WebhookIdSchema, url: Type.String(), createdAt: InstantSchema })
export type WebhookEndpointView = Static<typeof WebhookEndpointSchema>

export const WebhookCreatedSchema = Body({
  id: WebhookIdSchema,
  url: Type.String(),
  createdAt: InstantSchema,
  secret: Type.String({
    description: 'Signing key (whsec_...), shown only in this answer: webhook-signature is v1,base64(HMAC-SHA256(key, id.timestamp.body))',
  }),
})
export type WebhookCreated = Static<typeof WebhookCreatedSchema>

export const WebhookListSchema = Body({ webhooks: Type.Array(WebhookEndpointSchema) })
export type WebhookList = Static<typeof WebhookListSchema>

export const WebhookDeliverySchema = Body({
  id: Type.Integer(),
  transitionId: Type.Integer(),
  endpointId: Type.Integer(),
  url: Type.String(),
  idempotencyKey: Type.String({ description: 'The webhook-id header of every attempt: receivers dedupe on it' }),
  attempts: Type.Integer(),
  lastStatus: NullableIntegerSchema,
  lastError: NullableString(),
  nextAttemptAt: NullableString({ format: 'date-time', description: 'null once delivered or given up' }),
  deliveredAt: NullableString({ format: 'date-time' }),
  givenUpAt: NullableString({ format: 'date-time' }),
  createdAt: InstantSchema,
})
export type WebhookDeliveryView = Static<typeof WebhookDeliverySchema>

export const WebhookDeliveriesSchema = Body({ deliveries: Type.Array(WebhookDeliverySchema) })
export type WebhookDeliveries = Static<typeof WebhookDeliveriesSchema>
