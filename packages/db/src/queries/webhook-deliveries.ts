/**
 * The webhook outbox: one row per (alert transition, endpoint), created from alert_transitions
 * (written by the alerts in the same transaction as each open/resolve, migration 0012), leased
 * for one attempt at a time, and marked delivered or given up.
 */
import { webhookIdempotencyKey } from '@event-analytics/contracts'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { AlertTransitionRow, Database } from '../schema/types.js'

export interface PendingDelivery {
  id: number
  nextAttemptAt: Date
}

/**
 * Creates the delivery rows of every transition not yet paired with each live endpoint of its
 * owner, from the endpoint's creation on; idempotent (the unique pair). Returns the new rows.
 * `since` bounds the scan to transitions that occurred from then on (the frequent pass); without
 * it every transition is looked at (the sweep, which catches whatever a bounded pass missed).
 */
export async function dispatchAlertTransitions(
  db: Kysely<Database>,
  options: { readonly since?: Date; readonly limit?: number } = {},
): Promise<PendingDelivery[]> {
  const since = options.since ?? new Date(0)
  const { rows } = await sql<{ id: number; next_attempt_at: Date }>`
    INSERT INTO webhook_deliveries (transition_id, endpoint_id, user_id)
    SELECT t.id, e.id, e.user_id
      FROM alert_transitions t
      JOIN webhook_endpoints e ON e.user_id = t.user_id AND e.deleted_at IS NULL
                                -- Milliseconds: a transition stamped by JavaScript in the endpoint's own millisecond counts.
                                AND t.occurred_at >= date_trunc('milliseconds', e.created_at)
     WHERE t.occurred_at >= ${since}
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.transition_id = t.id AND d.endpoint_id = e.id)
     ORDER BY t.id, e.id
     LIMIT ${options.limit ?? 1000}
    ON CONFLICT (transition_id, endpoint_id) DO NOTHING
    RETURNING id, next_attempt_at`.execute(db)
  return rows.map((row) => ({ id: row.id, nextAttemptAt: row.next_attempt_at }))
}

/** Deliveries neither delivered nor given up, soonest due first (the sweeper re-enqueues them). */
export async function listPendingDeliveries(db: Kysely<Database>, limit = 1000): Promise<PendingDelivery[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'next_attempt_at'])
    .where('delivered_at', 'is', null)
    .where('given_up_at', 'is', null)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute()
  return rows.map((row) => ({ id: row.id, nextAttemptAt: row.next_attempt_at }))
}

export interface LeasedDelivery {
  id: number
  transitionId: number
  endpointId: number
  /** Counting the attempt this lease is for. */
  attempts: number
  url: string
  secret: string
  endpointDeleted: boolean
  transition: AlertTransitionRow | undefined
}

/**
 * Takes one attempt of a pending delivery: counts it and leases the row for `leaseMs`, so a
 * second copy of its job (a Redis wiped while it ran) finds nothing to do. Undefined when the
 * delivery is done, given up, or leased by a running attempt.
 */
export async function leaseDelivery(db: Kysely<Database>, id: number, leaseMs: number): Promise<LeasedDelivery | undefined> {
  const leased = await db
    .updateTable('webhook_deliveries as d')
    .from('webhook_endpoints as e')
    .set((eb) => ({
      attempts: eb('d.attempts', '+', 1),
      leased_until: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`,
    }))
    .whereRef('e.id', '=', 'd.endpoint_id')
    .where('d.id', '=', id)
    .where('d.delivered_at', 'is', null)
    .where('d.given_up_at', 'is', null)
    .where((eb) => eb.or([eb('d.leased_until', 'is', null), eb('d.leased_until', '<', sql<Date>`now()`)]))
    .returning(['d.id', 'd.transition_id', 'd.endpoint_id', 'd.attempts', 'e.url', 'e.secret', 'e.deleted_at'])
    .executeTakeFirst()
  if (leased === undefined) return undefined
  const transition = await db.selectFrom('alert_transitions').selectAll().where('id', '=', leased.transition_id).executeTakeFirst()
  return {
    id: leased.id,
    transitionId: leased.transition_id,
    endpointId: leased.endpoint_id,
    attempts: leased.attempts,
    url: leased.url,
    secret: leased.secret,
    endpointDeleted: leased.deleted_at !== null,
    transition,
  }
}

export interface AttemptOutcome {
  /** The receiver's status code; null when no response came (refused, timeout, connection error). */
  status: number | null
  error: string | null
}

/** A 2xx: delivered, for good. */
export async function recordDelivered(db: Kysely<Database>, id: number, outcome: AttemptOutcome): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ delivered_at: new Date(), last_status: outcome.status, last_error: outcome.error, leased_until: null })
    .where('id', '=', id)
    .execute()
}

/** A failed attempt: tried again at `nextAttemptAt`, or given up when it is null. */
export async function recordAttemptFailed(
  db: Kysely<Database>,
  id: number,
  outcome: AttemptOutcome,
  nextAttemptAt: Date | null,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      last_status: outcome.status,
      last_error: outcome.error,
      leased_until: null,
      ...(nextAttemptAt === null ? { given_up_at: new Date() } : { next_attempt_at: nextAttemptAt }),
    })
    .where('id', '=', id)
    .execute()
}

export interface DeliveryLogRow {
  id: number
  transitionId: number
  endpointId: number
  url: string
  attempts: number
  lastStatus: number | null
  lastError: string | null
  nextAttemptAt: Date | null
  deliveredAt: Date | null
  givenUpAt: Date | null
  createdAt: Date
}

/** The owner's deliveries, newest first. */
export async function readDeliveryLog(db: Kysely<Database>, userId: string, limit: number): Promise<DeliveryLogRow[]> {
  const rows = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select([
      'd.id',
      'd.transition_id',
      'd.endpoint_id',
      'e.url',
      'd.attempts',
      'd.last_status',
      'd.last_error',
      'd.next_attempt_at',
      'd.delivered_at',
      'd.given_up_at',
      'd.created_at',
    ])
    .where('d.user_id', '=', userId)
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    id: row.id,
    transitionId: row.transition_id,
    endpointId: row.endpoint_id,
    url: row.url,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    // Only a delivery still to be made has a next attempt.
    nextAttemptAt: row.delivered_at === null && row.given_up_at === null ? row.next_attempt_at : null,
    deliveredAt: row.delivered_at,
    givenUpAt: row.given_up_at,
    createdAt: row.created_at,
  }))
}

/** The outbox against what it owes, for an operator or the chaos suite: every key that must go out. */
export interface WebhookAudit {
  /** (transition, endpoint) pairs owed a delivery: the endpoint live and created by the transition. */
  readonly owed: number
  /** Idempotency keys of the owed pairs marked delivered. */
  readonly deliveredKeys: readonly string[]
  /** Owed pairs not delivered yet (no row, or a row waiting for its next attempt). */
  readonly pending: number
  /** Owed pairs given up after their last attempt. */
  readonly givenUp: number
}

export async function auditWebhookDeliveries(db: Kysely<Database>): Promise<WebhookAudit> {
  const { rows } = await sql<{ transition_id: number; endpoint_id: number; delivered: boolean; given_up: boolean }>`
    SELECT t.id AS transition_id, e.id AS endpoint_id,
           d.delivered_at IS NOT NULL AS delivered, d.given_up_at IS NOT NULL AS given_up
      FROM alert_transitions t
      JOIN webhook_endpoints e ON e.user_id = t.user_id AND e.deleted_at IS NULL
                                AND t.occurred_at >= date_trunc('milliseconds', e.created_at)
      LEFT JOIN webhook_deliveries d ON d.transition_id = t.id AND d.endpoint_id = e.id
     ORDER BY t.id, e.id`.execute(db)
  return {
    owed: rows.length,
    deliveredKeys: rows.filter((row) => row.delivered).map((row) => webhookIdempotencyKey(row.transition_id, row.endpoint_id)),
    pending: rows.filter((row) => !row.delivered && !row.given_up).length,
    givenUp: rows.filter((row) => row.given_up).length,
  }
}
