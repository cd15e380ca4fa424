/**
 * What the webhook dispatcher, the API's board and the receivers agree on: the delivery queue,
 * its job ids, the idempotency key a receiver dedupes on, and the body of an alert transition.
 */

/** The BullMQ queue of webhook attempts (the board shows it beside the ingest queue). */
export const WEBHOOK_DELIVERY_QUEUE_NAME = 'webhook-deliveries'

export interface WebhookDeliveryJob {
  /** webhook_deliveries.id: the row holds everything else (PostgreSQL is the outbox). */
  readonly deliveryId: number
}

/** One job per delivery: adding it again while it waits, runs or is delayed is a no-op. */
export const webhookDeliveryJobId = (deliveryId: number): string => `delivery-${deliveryId}`

/** The `webhook-id` header: the same on every attempt of one (transition, endpoint), so receivers dedupe on it. */
export const webhookIdempotencyKey = (transitionId: number, endpointId: number): string => `alert-transition-${transitionId}-${endpointId}`

export type AlertWebhookType = 'alert.opened' | 'alert.resolved'

/** The JSON body of an alert transition's webhook. */
export interface AlertWebhookBody {
  readonly type: AlertWebhookType
  readonly transitionId: number
  readonly alertId: number
  readonly eventId: string
  readonly rule: string
  readonly channel: string | null
  readonly details: unknown
  readonly occurredAt: string
}

export interface AlertTransitionFields {
  readonly id: number
  readonly alert_id: number
  readonly event_id: string
  readonly rule: string
  readonly channel_name: string | null
  readonly state: 'open' | 'resolved'
  readonly occurred_at: Date
  readonly details: unknown
}

export function alertWebhookBody(transition: AlertTransitionFields): AlertWebhookBody {
  return {
    type: transition.state === 'open' ? 'alert.opened' : 'alert.resolved',
    transitionId: transition.id,
    alertId: transition.alert_id,
    eventId: transition.event_id,
    rule: transition.rule,
    channel: transition.channel_name,
    details: transition.details,
    occurredAt: transition.occurred_at.toISOString(),
  }
}
