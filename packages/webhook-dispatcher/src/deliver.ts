/**
 * One attempt of one delivery: lease the row (PostgreSQL decides whether an attempt may run),
 * check the target again (DNS may have changed since registration), send it signed, record how
 * it went. Marked delivered only after a 2xx, so a delivery is at least once; the webhook-id
 * is the same on every attempt, so a receiver that dedupes on it applies it once.
 */
import { alertWebhookBody, webhookIdempotencyKey } from '@event-analytics/contracts'
import { leaseDelivery, recordAttemptFailed, recordDelivered } from '@event-analytics/db'
import type { AlertTransitionRow, AttemptOutcome, Database, LeasedDelivery } from '@event-analytics/db'
import { resolveWebhookTarget, webhookHeaders, type HostLookup } from '@event-analytics/ops'
import type { Kysely } from 'kysely'
import type { HttpLimits } from './config.js'
import { nextAttemptAt, type RetrySchedule } from './schedule.js'
import { postWebhook } from './send.js'

export interface DeliveryDeps {
  readonly db: Kysely<Database>
  readonly allowPrivateAddresses: boolean
  readonly allowHttp: boolean
  readonly http: HttpLimits
  readonly retry: RetrySchedule
  readonly now: () => Date
  /** Host resolution (tests pin it); the system's resolver by default. */
  readonly lookup?: HostLookup
}

export type AttemptResult =
  | { readonly kind: 'skipped' }
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly at: Date; readonly outcome: AttemptOutcome }
  | { readonly kind: 'given-up'; readonly outcome: AttemptOutcome }

async function send(deps: DeliveryDeps, delivery: LeasedDelivery, transition: AlertTransitionRow): Promise<AttemptOutcome> {
  const target = await resolveWebhookTarget(delivery.url, {
    allowHttp: deps.allowHttp,
    allowPrivateAddresses: deps.allowPrivateAddresses,
    ...(deps.lookup === undefined ? {} : { lookup: deps.lookup }),
  })
  if (!target.ok) return { status: null, error: `refused: ${target.reason}` }
  const body = JSON.stringify(alertWebhookBody(transition))
  const id = webhookIdempotencyKey(delivery.transitionId, delivery.endpointId)
  const headers = webhookHeaders(delivery.secret, id, Math.floor(deps.now().getTime() / 1000), body)
  return postWebhook(target.url, target.address, headers, body, deps.http)
}

/** The lease outlives the longest attempt, so a second copy of the job cannot overlap it. */
const leaseMsOf = (http: HttpLimits): number => http.totalTimeoutMs + http.connectTimeoutMs + 5000

export async function attemptDelivery(deps: DeliveryDeps, deliveryId: number): Promise<AttemptResult> {
  const delivery = await leaseDelivery(deps.db, deliveryId, leaseMsOf(deps.http))
  if (delivery === undefined) return { kind: 'skipped' }
  // Neither comes back: alert_transitions is append-only and a deleted endpoint stays deleted.
  const { transition } = delivery
  if (delivery.endpointDeleted || transition === undefined) {
    const error = delivery.endpointDeleted ? 'the endpoint was deleted' : `alert transition ${delivery.transitionId} does not exist`
    const outcome = { status: null, error }
    await recordAttemptFailed(deps.db, delivery.id, outcome, null)
    return { kind: 'given-up', outcome }
  }
  const outcome = await send(deps, delivery, transition)
  if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) {
    await recordDelivered(deps.db, delivery.id, outcome)
    return { kind: 'delivered' }
  }
  const at = nextAttemptAt(deps.retry, delivery.attempts, deps.now())
  await recordAttemptFailed(deps.db, delivery.id, outcome, at)
  return at === null ? { kind: 'given-up', outcome } : { kind: 'retry', at, outcome }
}
