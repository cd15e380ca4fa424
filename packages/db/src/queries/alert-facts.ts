/**
 * What the alert evaluator reads about events (docs/SPEC.md section 9a): each event's figures, its
 * owner's thresholds, its channels and, where a pacing rule is on, its pacing.
 *
 * A pass reads every event a batch touched, hundreds at a time, and passes follow the batches. The
 * channels therefore come as one JSON array per event instead of one joined row per channel: a
 * joined row repeats the event's columns and thresholds for each channel, and the driver parses
 * every value of every row in JavaScript, where JSON.parse runs natively.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { ChannelTypeValue, Database, EventStatusValue, ProviderStateValue } from '../schema/types.js'
import { parseInt8 } from '../client.js'
import { thresholdOrDefault } from './alert-settings.js'
import type { AlertThresholds } from './alert-settings.js'
import { readPacings } from './alert-pacing.js'
import type { EventPacing } from './read-pacing.js'

/** What the rules read of an event: its figures, its owner's thresholds and its channels. */
export interface AlertEventFacts {
  readonly eventId: string
  readonly userId: string
  readonly status: EventStatusValue
  /** Decimal string. */
  readonly totalInvestment: string
  readonly totalParticipants: number
  /** Decimal string; 0.00: no target. */
  readonly targetRoi: string
  readonly thresholds: AlertThresholds
  /**
   * The event's pacing (read-pacing.ts, as the dashboard shows it), read only for an ACTIVE event
   * whose owner has a pacing rule on; null otherwise or when it cannot be paced.
   */
  readonly pacing: EventPacing | null
  readonly channels: readonly AlertChannelFacts[]
}

export interface AlertChannelFacts {
  readonly channelName: string
  readonly channelType: ChannelTypeValue | null
  readonly participants: number
  readonly distributionCount: number
  /** Decimal string. */
  readonly distributionCost: string
  readonly lastParticipantAt: Date | null
  /** When the channel was first written (the start of its silence when it never had a participant). */
  readonly createdAt: Date
  readonly metricsAsOf: Date | null
  readonly providerState: ProviderStateValue | null
  readonly providerChangedAt: Date | null
}

const THRESHOLD_COLUMNS = [
  'channel_silent_enabled',
  'channel_silent_hours',
  'channel_cost_high_enabled',
  'channel_cost_factor',
  'provider_stale_enabled',
  'provider_stale_minutes',
  'pace_low_enabled',
  'pace_ratio',
  'roi_projected_low_enabled',
] as const satisfies readonly (keyof AlertThresholds)[]

/** The event columns the rules and the pacing read (readPacings' parameter type checks the latter). */
const EVENT_COLUMNS = [
  'event_id',
  'user_id',
  'status',
  'total_investment',
  'total_participants',
  'target_roi',
  'expected_revenue',
  'expected_participants',
  'starts_at',
  'ends_at',
  'last_occurred_at',
] as const

/** A channel as the JSON array carries it: timestamps as ISO 8601 text, counts and money as text (JSON numbers are doubles). */
interface ChannelJson {
  readonly channelName: string
  readonly channelType: ChannelTypeValue | null
  readonly participants: string
  readonly distributionCount: string
  readonly distributionCost: string
  readonly lastParticipantAt: string | null
  readonly createdAt: string
  readonly metricsAsOf: string | null
  readonly providerState: ProviderStateValue | null
  readonly providerChangedAt: string | null
}

/** The event's channels by name, with their providers' health, as one JSON array (empty: none). */
const CHANNELS_JSON = sql<ChannelJson[]>`(
  SELECT coalesce(json_agg(json_build_object(
    'channelName', c.channel_name, 'channelType', c.channel_type, 'participants', c.participants::text,
    'distributionCount', c.distribution_count::text, 'distributionCost', c.distribution_cost::text,
    'lastParticipantAt', c.last_participant_at, 'createdAt', c.created_at, 'metricsAsOf', c.metrics_as_of,
    'providerState', p.state, 'providerChangedAt', p.changed_at) ORDER BY c.channel_name), '[]')
  FROM channel_stats AS c LEFT JOIN provider_health AS p ON p.channel_type = c.channel_type
  WHERE c.event_id = e.event_id)`

function timestamp(text: string): Date {
  const date = new Date(text)
  if (Number.isNaN(date.getTime())) throw new RangeError(`timestamp ${text} does not fit a JS Date`)
  return date
}

const timestampOrNull = (text: string | null): Date | null => (text === null ? null : timestamp(text))

function channelFacts(channel: ChannelJson): AlertChannelFacts {
  return {
    ...channel,
    participants: parseInt8(channel.participants),
    distributionCount: parseInt8(channel.distributionCount),
    lastParticipantAt: timestampOrNull(channel.lastParticipantAt),
    createdAt: timestamp(channel.createdAt),
    metricsAsOf: timestampOrNull(channel.metricsAsOf),
    providerChangedAt: timestampOrNull(channel.providerChangedAt),
  }
}

/**
 * The facts of the visible, owned events among `eventIds` (the others have none: their alerts resolve).
 * Events and their channels come from one statement, so from one snapshot. Under READ COMMITTED two
 * statements see two snapshots: a batch committing between them would pair an event's old total
 * investment with a channel's new cost, and a cost rule would open an alert that no committed state
 * calls for (resolved again by the next pass, a webhook each way).
 */
export async function readAlertFacts(db: Kysely<Database>, eventIds: readonly string[]): Promise<AlertEventFacts[]> {
  if (eventIds.length === 0) return []
  const events = await db
    .selectFrom('event_stats as e')
    .leftJoin('alert_settings as s', 's.user_id', 'e.user_id')
    .select(EVENT_COLUMNS.map((column) => `e.${column}` as const))
    .select(THRESHOLD_COLUMNS.map((column) => thresholdOrDefault('s', column).as(column)))
    .select(CHANNELS_JSON.as('channels'))
    .where('e.event_id', 'in', eventIds)
    .where('e.event_created_at', 'is not', null)
    .where('e.user_id', 'is not', null)
    .orderBy('e.event_id')
    .execute()
  const thresholdsOf = (event: (typeof events)[number]): AlertThresholds =>
    Object.fromEntries(THRESHOLD_COLUMNS.map((column) => [column, event[column]])) as unknown as AlertThresholds
  const paced = events.filter((event) => {
    const thresholds = thresholdsOf(event)
    return event.status === 'ACTIVE' && (thresholds.pace_low_enabled || thresholds.roi_projected_low_enabled)
  })
  const pacings = await readPacings(db, paced)
  return events.map((event) => ({
    eventId: event.event_id,
    userId: event.user_id ?? '',
    status: event.status,
    totalInvestment: event.total_investment,
    totalParticipants: event.total_participants,
    targetRoi: event.target_roi,
    thresholds: thresholdsOf(event),
    pacing: pacings.get(event.event_id) ?? null,
    channels: event.channels.map(channelFacts),
  }))
}
