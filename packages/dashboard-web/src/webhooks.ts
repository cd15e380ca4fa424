/**
 * The owner's webhooks on the overview: register a URL (its signing secret shown once, here),
 * the registered endpoints, and the newest deliveries with their attempts and last result.
 */
import type { WebhookDeliveryView, WebhookEndpointView } from '@event-analytics/query-api/schemas'
import { ApiError, api } from './api.js'
import { h, replace } from './dom.js'
import { fmt } from './format.js'
import { table } from './table.js'

function outcome(delivery: WebhookDeliveryView): string {
  if (delivery.deliveredAt !== null) return `Delivered (${delivery.lastStatus ?? '2xx'})`
  const last = delivery.lastError ?? (delivery.lastStatus === null ? 'not tried yet' : `HTTP ${delivery.lastStatus}`)
  return delivery.givenUpAt !== null ? `Given up: ${last}` : last
}

function deliveriesTable(deliveries: readonly WebhookDeliveryView[]): HTMLElement {
  if (deliveries.length === 0) return h('p', { class: 'muted' }, 'No alert has been sent to a webhook yet.')
  return table(
    'Newest deliveries',
    ['Alert transition', 'Endpoint', 'Result', 'Attempts', 'Next attempt', 'Delivered'],
    deliveries.map((delivery) => [
      h('code', { title: `webhook-id ${delivery.idempotencyKey}` }, String(delivery.transitionId)),
      h('span', { class: 'url' }, delivery.url),
      outcome(delivery),
      fmt.count(delivery.attempts),
      delivery.nextAttemptAt === null ? '—' : fmt.dateTime(delivery.nextAttemptAt),
      delivery.deliveredAt === null ? '—' : fmt.dateTime(delivery.deliveredAt),
    ]),
    3,
  )
}

function endpointList(endpoints: readonly WebhookEndpointView[], remove: (id: number) => void): HTMLElement {
  if (endpoints.length === 0) return h('p', { class: 'muted' }, 'No webhook yet: alerts are shown here only.')
  return h(
    'ul',
    { class: 'webhook-list' },
    ...endpoints.map((endpoint) =>
      h(
        'li',
        { 'data-webhook': endpoint.id },
        h('span', { class: 'url' }, endpoint.url),
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => remove(endpoint.id), 'aria-label': `Delete ${endpoint.url}` },
          'Delete',
        ),
      ),
    ),
  )
}

export async function renderWebhooks(root: HTMLElement, userId: string): Promise<void> {
  const error = h('p', { class: 'error', role: 'alert' })
  const secret = h('div', { class: 'secret', 'aria-live': 'polite' })
  const endpoints = h('div')
  const deliveries = h('div')
  const refresh = async (): Promise<void> => {
    const [list, log] = await Promise.all([api.webhooks(userId), api.webhookDeliveries(userId)])
    replace(
      endpoints,
      endpointList(list.webhooks, (id) => void act(() => api.deleteWebhook(userId, id))),
    )
    replace(deliveries, deliveriesTable(log.deliveries))
  }
  const act = async (change: () => Promise<unknown>): Promise<void> => {
    error.textContent = ''
    try {
      await change()
      await refresh()
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? failure.problem.detail : 'the request failed'
    }
  }
  const input = h('input', {
    id: 'webhook-url',
    type: 'url',
    required: true,
    placeholder: 'https://example.com/alerts',
    autocomplete: 'off',
  })
  const form = h(
    'form',
    {
      class: 'webhook-form',
      onsubmit: (event: Event) => {
        event.preventDefault()
        void act(async () => {
          const created = await api.addWebhook(userId, input.value.trim())
          input.value = ''
          replace(
            secret,
            h('p', {}, 'Signing secret of ', h('span', { class: 'url' }, created.url), ' (copy it now: it is not shown again):'),
            h('code', { 'data-secret': '' }, created.secret),
          )
        })
      },
    },
    h('label', { for: 'webhook-url' }, 'Send alerts to'),
    input,
    h('button', { type: 'submit' }, 'Add webhook'),
  )
  replace(
    root,
    h(
      'div',
      { class: 'card-head' },
      h('h2', { id: 'webhooks-title' }, 'Alert webhooks'),
      h('button', { type: 'button', class: 'secondary', onclick: () => void act(async () => undefined) }, 'Refresh'),
    ),
    h(
      'p',
      { class: 'muted' },
      'Each alert that opens or resolves is POSTed, signed (webhook-signature), at least once; receivers dedupe on webhook-id.',
    ),
    form,
    error,
    secret,
    endpoints,
    deliveries,
  )
  await refresh()
}
