/**
 * Alerts (docs/SPEC.md section 9a): what the evaluator reads about events, and the two
 * transitions, each written with its row of the append-only `alert_transitions` outbox in one
 * statement. Both are idempotent: an alert opens only when none of its (event, rule, channel) is
 * open (partial unique index alerts_one_open), and resolves only while open, so evaluating the
 * same data again writes nothing.
 */
import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type {
  AlertDetails,
  AlertRow,
  AlertRuleValue,
  AlertStateValue,
  AlertTransitionRow,
  ChannelTypeValue,
  Database,
  EventStatusValue,
  ProviderStateValue,
} from '../schema/types.js'
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

/** An alert the rules want open. */
export interface AlertFinding {
  readonly eventId: string
  readonly userId: string
  readonly rule: AlertRuleValue
  readonly channelName: string | null
  readonly details: AlertDetails
}

/** Serialises evaluators across every aggregator process until the transaction ends. */
export async function lockAlertEvaluation(trx: Transaction<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('event-analytics:alert-evaluation'))`.execute(trx)
}

/** Events the clock evaluates: every visible ACTIVE event, and every event with an open alert. */
export async function listAlertEvaluationTargets(db: Kysely<Database>): Promise<string[]> {
  const rows = await sql<{ event_id: string }>`
    SELECT event_id FROM event_stats WHERE status = 'ACTIVE' AND event_created_at IS NOT NULL AND user_id IS NOT NULL
    UNION SELECT event_id FROM alerts WHERE state = 'open'
    ORDER BY event_id`.execute(db)
  return rows.rows.map((row) => row.event_id)
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

/**
 * The facts of the visible, owned events among `eventIds` (the others have none: their alerts resolve).
 * Events and their channels come from one statement, so from one snapshot. Under READ COMMITTED two
 * statements see two snapshots: a batch committing between them would pair an event's old total
 * investment with a channel's new cost, and a cost rule would open an alert that no committed state
 * calls for (resolved again by the next pass, a webhook each way).
 */
export async function readAlertFacts(db: Kysely<Database>, eventIds: readonly string[]): Promise<AlertEventFacts[]> {
  if (eventIds.length === 0) return []
  const rows = await db
    .selectFrom('event_stats as e')
    .leftJoin('alert_settings as s', 's.user_id', 'e.user_id')
    .leftJoin('channel_stats as c', 'c.event_id', 'e.event_id')
    .leftJoin('provider_health as p', 'p.channel_type', 'c.channel_type')
    .selectAll('e')
    .select(THRESHOLD_COLUMNS.map((column) => thresholdOrDefault('s', column).as(column)))
    .select([
      'c.channel_name',
      'c.channel_type',
      'c.participants as channel_participants',
      'c.distribution_count',
      'c.distribution_cost',
      'c.last_participant_at',
      'c.created_at as channel_created_at',
      'c.metrics_as_of',
      'p.state as provider_state',
      'p.changed_at as provider_changed_at',
    ])
    .where('e.event_id', 'in', eventIds)
    .where('e.event_created_at', 'is not', null)
    .where('e.user_id', 'is not', null)
    .orderBy('e.event_id')
    .orderBy('c.channel_name')
    .execute()
  const events = [...new Map(rows.map((row) => [row.event_id, row])).values()]
  const channels = rows.flatMap((row) =>
    row.channel_name === null
      ? []
      : [
          {
            event_id: row.event_id,
            channel_name: row.channel_name,
            channel_type: row.channel_type,
            participants: row.channel_participants ?? 0,
            distribution_count: row.distribution_count ?? 0,
            distribution_cost: row.distribution_cost ?? '0.00',
            last_participant_at: row.last_participant_at,
            created_at: row.channel_created_at ?? new Date(0),
            metrics_as_of: row.metrics_as_of,
            provider_state: row.provider_state,
            provider_changed_at: row.provider_changed_at,
          },
        ],
  )
  const thresholdsOf = (event: (typeof events)[number]): AlertThresholds =>
    Object.fromEntries(THRESHOLD_COLUMNS.map((column) => [column, event[column]])) as unknown as AlertThresholds
  const paced = events.filter((event) => {
    const thresholds = thresholdsOf(event)
    return event.status === 'ACTIVE' && (thresholds.pace_low_enabled || thresholds.roi_projected_low_enabled)
  })
  const pacings = await readPacings(db, paced)
  const channelsByEvent = new Map<string, AlertChannelFacts[]>()
  for (const row of channels) {
    const list = channelsByEvent.get(row.event_id) ?? []
    list.push({
      channelName: row.channel_name,
      channelType: row.channel_type,
      participants: row.participants,
      distributionCount: row.distribution_count,
      distributionCost: row.distribution_cost,
      lastParticipantAt: row.last_participant_at,
      createdAt: row.created_at,
      metricsAsOf: row.metrics_as_of,
      providerState: row.provider_state,
      providerChangedAt: row.provider_changed_at,
    })
    channelsByEvent.set(row.event_id, list)
  }
  return events.map((event) => ({
    eventId: event.event_id,
    userId: event.user_id ?? '',
    status: event.status,
    totalInvestment: event.total_investment,
    totalParticipants: event.total_participants,
    targetRoi: event.target_roi,
    thresholds: thresholdsOf(event),
    pacing: pacings.get(event.event_id) ?? null,
    channels: channelsByEvent.get(event.event_id) ?? [],
  }))
}

/** The open alerts of `eventIds`. */
export async function readOpenAlerts(db: Kysely<Database>, eventIds: readonly string[]): Promise<AlertRow[]> {
  if (eventIds.length === 0) return []
  return db.selectFrom('alerts').selectAll().where('event_id', 'in', eventIds).where('state', '=', 'open').orderBy('id').execute()
}

/**
 * Opens the alert unless one of its (event, rule, channel) is open; returns its transition, or
 * undefined. Call it (and resolveAlert) under lockAlertEvaluation: the outbox ids then become
 * visible in commit order, which its readers rely on.
 */
export async function openAlert(trx: Transaction<Database>, finding: AlertFinding, at: Date): Promise<AlertTransitionRow | undefined> {
  const details = JSON.stringify(finding.details)
  const written = await sql<AlertTransitionRow>`
    WITH opened AS (
      INSERT INTO alerts (event_id, user_id, rule, channel_name, state, opened_at, details)
      VALUES (${finding.eventId}, ${finding.userId}, ${finding.rule}, ${finding.channelName}, 'open', ${at}, ${details}::jsonb)
      ON CONFLICT (event_id, rule, (coalesce(channel_name, ''))) WHERE state = 'open' DO NOTHING
      RETURNING id, user_id, event_id, rule, channel_name, opened_at, details)
    INSERT INTO alert_transitions (alert_id, user_id, event_id, rule, channel_name, state, occurred_at, details)
    SELECT id, user_id, event_id, rule, channel_name, 'open', opened_at, details FROM opened
    RETURNING *`.execute(trx)
  return written.rows[0]
}

/** Resolves the alert if it is still open; returns its transition, or undefined. */
export async function resolveAlert(trx: Transaction<Database>, alertId: number, at: Date): Promise<AlertTransitionRow | undefined> {
  const written = await sql<AlertTransitionRow>`
    WITH resolved AS (
      UPDATE alerts SET state = 'resolved', resolved_at = ${at}
      WHERE id = ${alertId} AND state = 'open'
      RETURNING id, user_id, event_id, rule, channel_name, resolved_at, details)
    INSERT INTO alert_transitions (alert_id, user_id, event_id, rule, channel_name, state, occurred_at, details)
    SELECT id, user_id, event_id, rule, channel_name, 'resolved', resolved_at, details FROM resolved
    RETURNING *`.execute(trx)
  return written.rows[0]
}

/** The event's alerts for its owner: the open ones (newest first), then up to `resolvedLimit` resolved (newest first). */
export async function readEventAlerts(db: Kysely<Database>, eventId: string, resolvedLimit: number): Promise<AlertRow[]> {
  const inState = (state: AlertStateValue) => db.selectFrom('alerts').selectAll().where('event_id', '=', eventId).where('state', '=', state)
  const open = await inState('open').orderBy('opened_at', 'desc').orderBy('id', 'desc').execute()
  if (resolvedLimit <= 0) return open
  const resolved = await inState('resolved').orderBy('resolved_at', 'desc').orderBy('id', 'desc').limit(resolvedLimit).execute()
  return [...open, ...resolved]
}

/** The outbox after `afterId`, oldest first (what a transition reader such as webhook delivery consumes). */
export async function readAlertTransitions(db: Kysely<Database>, afterId: number, limit: number): Promise<AlertTransitionRow[]> {
  return db.selectFrom('alert_transitions').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute()
}
