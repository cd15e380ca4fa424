/**
 * Alerts (docs/SPEC.md section 9a): the evaluator's targets and lock, and the two transitions, each written with its row of the append-only `alert_transitions` outbox in one
 * statement. Both are idempotent: an alert opens only when none of its (event, rule, channel) is
 * open (partial unique index alerts_one_open), and resolves only while open, so evaluating the
 * same data again writes nothing.
 */
import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { AlertDetails, AlertRow, AlertRuleValue, AlertStateValue, AlertTransitionRow, Database } from '../schema/types.js'

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
