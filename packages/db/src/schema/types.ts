import type { ChannelType, EventStatus } from '@event-analytics/contracts'
import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely'

/**
 * Type decisions (they match the pg type parsers installed by `createDb`):
 *
 * - `numeric` (money, rates, ROI) is ALWAYS a string in both directions. Money must never
 *   pass through a binary float (docs/SPEC.md section 3); callers use the exact-decimal helpers of
 *   @event-analytics/contracts. Accumulated and derived money is numeric(33,2) and the ROI
 *   numeric(35,2) (migration 0003): far past 2^53, so a JS number could not hold them anyway.
 * - `bigint` (counts, identity ids) is parsed to a JS `number`. Counts of participants and
 *   views stay far below 2^53; the parser throws instead of silently losing precision if a
 *   value ever does not fit. This also makes `count(*)` come back as a number.
 * - `date` stays the ISO string `YYYY-MM-DD`: pg's default turns it into a Date at local
 *   midnight, which shifts the day in any non-UTC process.
 * - `timestamptz` is a `Date`.
 */

/** numeric column the database fills with a default: select string, insert optional string. */
export type DecimalWithDefault = ColumnType<string, string | undefined, string>
/** Nullable numeric column. */
export type NullableDecimal = ColumnType<string | null, string | null | undefined, string | null>
/** bigint / integer counter with a database default of 0. */
export type Counter = ColumnType<number, number | undefined, number>
/** timestamptz with a database default of now(). */
export type DefaultTimestamp = ColumnType<Date, Date | undefined, Date>
/** Nullable timestamptz. */
export type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>

/** One home for domain values: contracts (the migrations' CHECKs are compared with it by a test). */
export type EventStatusValue = EventStatus
export type ChannelTypeValue = ChannelType

export interface EventStatsTable {
  id: GeneratedAlways<number>
  event_id: string
  /** NULL until event-created arrives (topics are independent, docs/SPEC.md section 4). */
  user_id: ColumnType<string | null, string | null | undefined, string | null>
  title: ColumnType<string | null, string | null | undefined, string | null>
  status: ColumnType<EventStatusValue, EventStatusValue | undefined, EventStatusValue>
  /** occurredAt of the status change that won (last writer by occurredAt wins). */
  status_changed_at: NullableTimestamp
  /** occurredAt of EventCreated; NULL means the event is not visible in the API yet. */
  event_created_at: NullableTimestamp
  /** EventCreated.totalInvestment: the owner's own spend. */
  own_investment: DecimalWithDefault
  /** Sum of every distribution cost of every channel; numeric(33,2), wider than one message. */
  distribution_cost: DecimalWithDefault
  /** own_investment + distribution_cost (docs/SPEC.md section 6); numeric(33,2). */
  total_investment: DecimalWithDefault
  expected_revenue: DecimalWithDefault
  expected_participants: ColumnType<number | null, number | null | undefined, number | null>
  target_roi: DecimalWithDefault
  sales_growth_rate: NullableDecimal
  /** The schedule of the winning EventCreated (writer schema v2); NULL when it gave none (0010). */
  starts_at: NullableTimestamp
  ends_at: NullableTimestamp
  total_participants: Counter
  total_views: Counter
  /** expectedRevenue x participants / expectedParticipants; numeric(33,2). */
  estimated_revenue: DecimalWithDefault
  /** Signed on purpose (deviation from the seed): a campaign can lose money. numeric(35,2). */
  estimated_roi: DecimalWithDefault
  /**
   * occurredAt of the newest message applied to the event, or asOf of its newest channel
   * snapshot (0005), never later than the commit that applied it (0009).
   */
  last_occurred_at: NullableTimestamp
  /** When the newest batch applying messages of the event wrote them (0009). */
  last_committed_at: NullableTimestamp
  /** When the ingest worker read the earliest message of that batch (NULL: not stamped) (0009). */
  last_ingest_read_at: NullableTimestamp
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

/** The counters a channel's provider reports in its metrics snapshots (bigint columns of `channel_stats`). */
export const PROVIDER_COUNTER_COLUMNS = [
  'impressions',
  'views',
  'clicks',
  'conversions',
  'likes',
  'comments',
  'shares',
  'total_calls',
  'completed_calls',
] as const

/** The counter columns of `channel_stats` (bigint): what a channel counts, summed wherever channels are. */
export const CHANNEL_COUNTER_COLUMNS = ['participants', 'distribution_count', ...PROVIDER_COUNTER_COLUMNS] as const

export interface ChannelStatsTable {
  id: GeneratedAlways<number>
  event_id: string
  channel_name: string
  /** NULL until a distribution names the type (a participant can name the channel first). */
  channel_type: ColumnType<ChannelTypeValue | null, ChannelTypeValue | null | undefined, ChannelTypeValue | null>
  participants: Counter
  distribution_count: Counter
  distribution_cost: DecimalWithDefault
  impressions: Counter
  views: Counter
  clicks: Counter
  conversions: Counter
  likes: Counter
  comments: Counter
  shares: Counter
  total_calls: Counter
  completed_calls: Counter
  average_duration_sec: DecimalWithDefault
  /** asOf of the last external metrics snapshot that was accepted. */
  metrics_as_of: NullableTimestamp
  /** occurredAt of the newest message naming the channel, or metrics_as_of when newer (0005); never after its commit (0009). */
  last_occurred_at: NullableTimestamp
  /** occurredAt of the newest participant of the channel, never after its commit (0012); the silent-channel alert reads it. */
  last_participant_at: NullableTimestamp
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface TimelineDataTable {
  event_id: string
  /** Start of a UTC hour. */
  timestamp: Date
  participants: Counter
  views: Counter
  engagement: Counter
  conversions: Counter
  cumulative_participants: Counter
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface ProcessedMessagesTable {
  /** `message_claim_key(message_id)`: 16 bytes of SHA-256 of the id (migration 0007). */
  claim_key: Buffer
  /** `YYYY-MM-DD`, the dedupe epoch day the id was claimed in (partition key). */
  dedupe_day: string
}

export interface DedupeEpochTable {
  /** Always true: makes the table single-row (primary key + CHECK). */
  singleton: Generated<boolean>
  /** `YYYY-MM-DD`, the partition of processed_messages new claims go into. */
  current_day: string
}

/** When the epoch rolled past a dedupe day: no claim went into that day after `closed_at` (see 0015_dedupe_closures). */
export interface DedupeClosuresTable {
  /** `YYYY-MM-DD`, a day that was the epoch. */
  day: string
  closed_at: Date
}

/** A BullMQ job every message of which is applied or refused for good (see 0004_settled_jobs). */
export interface SettledJobsTable {
  job_id: string
  settled_at: DefaultTimestamp
}

/** A message PostgreSQL refused after isolation; dead-lettered APPLY_FAILED by the ingest worker. */
export interface ApplyFailuresTable {
  job_id: string
  /** int8: arrives as a string. -1: every message of the job. */
  source_offset: string
  message_id: string | null
  reason: string
  failed_at: DefaultTimestamp
}

/** An ingest consumer group's last committed offset of a partition (see 0008_partition_progress). */
export interface PartitionProgressTable {
  group_id: string
  topic: string
  partition: number
  /** int8: arrives as a string. */
  committed_offset: string
  committed_at: DefaultTimestamp
}

/** An owner's webhook endpoint (see 0013_webhooks); `secret` is the signing key, never shown again. */
export interface WebhookEndpointsTable {
  id: GeneratedAlways<number>
  user_id: string
  url: string
  secret: string
  created_at: DefaultTimestamp
  deleted_at: NullableTimestamp
}

/** One alert transition to deliver to one endpoint, and how its delivery went (see 0013_webhooks). */
export interface WebhookDeliveriesTable {
  id: GeneratedAlways<number>
  transition_id: number
  endpoint_id: number
  user_id: string
  attempts: Counter
  last_status: ColumnType<number | null, number | null | undefined, number | null>
  last_error: ColumnType<string | null, string | null | undefined, string | null>
  next_attempt_at: DefaultTimestamp
  /** While an attempt runs: no second attempt of the same delivery starts before this. */
  leased_until: NullableTimestamp
  delivered_at: NullableTimestamp
  given_up_at: NullableTimestamp
  created_at: DefaultTimestamp
}

/** Circuit-breaker state of a channel-metrics provider, as opossum names it ('half-open' = halfOpen). */
export type ProviderStateValue = 'closed' | 'half-open' | 'open'

export interface ProviderHealthTable {
  channel_type: ChannelTypeValue
  state: ProviderStateValue
  changed_at: DefaultTimestamp
}

/** An owner's alert thresholds (0012); no row: the defaults of queries/alert-settings.ts. */
export interface AlertSettingsTable {
  user_id: string
  channel_silent_enabled: boolean
  channel_silent_hours: number
  channel_cost_high_enabled: boolean
  /** numeric(5,2), 1..100. */
  channel_cost_factor: string
  provider_stale_enabled: boolean
  provider_stale_minutes: number
  pace_low_enabled: boolean
  /** numeric(3,2), (0, 1]. */
  pace_ratio: string
  roi_projected_low_enabled: boolean
  updated_at: DefaultTimestamp
}

export type AlertRuleValue = 'channel_silent' | 'channel_cost_high' | 'provider_stale' | 'pace_low' | 'roi_projected_low'
export type AlertStateValue = 'open' | 'resolved'
/** What an alert says about its cause (numbers as exact decimal strings). */
export type AlertDetails = Record<string, string | number | boolean | null>

/** One alert: opened once, resolved at most once (0012). */
export interface AlertsTable {
  /** bigint identity: arrives as a number. */
  id: GeneratedAlways<number>
  event_id: string
  user_id: string
  rule: AlertRuleValue
  channel_name: string | null
  state: AlertStateValue
  opened_at: Date
  resolved_at: NullableTimestamp
  details: ColumnType<AlertDetails, string, string>
}

/** The append-only outbox of alert changes, written in the transaction that makes them (0012). */
export interface AlertTransitionsTable {
  id: Generated<number>
  alert_id: number
  user_id: string
  event_id: string
  rule: AlertRuleValue
  channel_name: string | null
  state: AlertStateValue
  occurred_at: Date
  details: ColumnType<AlertDetails, string, string>
}

/** A batch's applied registrations waiting for the returning-participants fold: parallel arrays (0011). */
export interface ParticipantRegistrationsTable {
  event_ids: string[]
  participant_ids: string[]
  channel_names: (string | null)[]
  /** Epoch milliseconds. */
  registered_ms: number[]
}

/** When the returning-participants fold last drained the log (single row, 0011). */
export interface ReturningProgressTable {
  singleton: Generated<boolean>
  folded_at: NullableTimestamp
}

/** One participant's earliest registration in one event (0011; docs/SPEC.md section 9a). */
export interface EventParticipantsTable {
  event_id: string
  participant_id: string
  /** Channel of that earliest registration (NULL: it named none). */
  channel_name: string | null
  first_registered_at: Date
}

export interface Database {
  alert_settings: AlertSettingsTable
  alerts: AlertsTable
  alert_transitions: AlertTransitionsTable
  provider_health: ProviderHealthTable
  event_stats: EventStatsTable
  channel_stats: ChannelStatsTable
  timeline_data: TimelineDataTable
  processed_messages: ProcessedMessagesTable
  dedupe_epoch: DedupeEpochTable
  dedupe_closures: DedupeClosuresTable
  settled_jobs: SettledJobsTable
  apply_failures: ApplyFailuresTable
  partition_progress: PartitionProgressTable
  webhook_endpoints: WebhookEndpointsTable
  webhook_deliveries: WebhookDeliveriesTable
  event_participants: EventParticipantsTable
  participant_registrations: ParticipantRegistrationsTable
  returning_progress: ReturningProgressTable
}

export type EventStatsRow = Selectable<EventStatsTable>
export type NewEventStats = Insertable<EventStatsTable>
export type EventStatsUpdate = Updateable<EventStatsTable>
export type ChannelStatsRow = Selectable<ChannelStatsTable>
export type NewChannelStats = Insertable<ChannelStatsTable>
export type ChannelStatsUpdate = Updateable<ChannelStatsTable>
export type TimelineDataRow = Selectable<TimelineDataTable>
export type NewTimelineData = Insertable<TimelineDataTable>
export type ProviderHealthRow = Selectable<ProviderHealthTable>
export type AlertSettingsRow = Selectable<AlertSettingsTable>
export type AlertRow = Selectable<AlertsTable>
export type AlertTransitionRow = Selectable<AlertTransitionsTable>
/**
 * The docs/SPEC.md section 6 figures that are not stored, computed by the read queries with the
 * figures_* SQL functions (migration 0007). Decimal strings with two fraction digits; null for a
 * zero denominator.
 */
export interface ChannelFigures {
  /** likes + comments + shares. */
  engagement: number
  ctr: string | null
  participation_rate: string | null
  conversion_rate: string | null
  cost_per_participant: string | null
  call_completion_rate: string | null
}

/** An event row as the API reads it: the stored figures plus the achievement rate (null: target_roi 0). */
export type EventReadRow = EventStatsRow & { roi_achievement_rate: string | null }

/** A channel row as the API reads it: its figures and its provider's breaker state (NULL: never reported). */
export type ChannelReadRow = ChannelStatsRow & ChannelFigures & { provider_state: ProviderStateValue | null }
