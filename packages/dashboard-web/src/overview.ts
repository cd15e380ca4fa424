/** The owner's overview: portfolio totals, per-channel-type performance, the events list (paginated). */
import { api } from './api.js'
import type { UserSummary } from '@event-analytics/query-api/schemas'
import { h, replace } from './dom.js'
import { fmt } from './format.js'
import { table } from './table.js'
import { renderWebhooks } from './webhooks.js'

const PAGE_SIZE = 10
const CHANNEL_TYPE_LABEL: Record<string, string> = { TV: 'TV', SNS: 'SNS', VOICE: 'Voice' }

function kpi(name: string, label: string, value: string, note?: string): HTMLElement {
  return h(
    'div',
    { class: 'kpi', 'data-kpi': name },
    h('span', { class: 'kpi-label' }, label),
    h('strong', { class: 'kpi-value', title: value }, value),
    note === undefined ? null : h('span', { class: 'kpi-note' }, note),
  )
}

function render(root: HTMLElement, summary: UserSummary, goTo: (page: number) => void): void {
  const { totals, events } = summary
  const pages = Math.max(1, Math.ceil(events.total / events.limit))
  replace(
    root,
    h(
      'div',
      { class: 'card-head' },
      h('h1', {}, 'Your campaigns'),
      h('a', { href: `#/settings/${encodeURIComponent(summary.userId)}` }, 'Alert settings'),
    ),
    h(
      'section',
      { class: 'kpis', 'aria-label': 'Totals' },
      kpi('events', 'Events', fmt.count(totals.events)),
      kpi('participants', 'Participants', fmt.count(totals.totalParticipants)),
      kpi('views', 'Views', fmt.count(totals.totalViews)),
      kpi('investment', 'Investment', fmt.money(totals.totalInvestment)),
      kpi('revenue', 'Estimated revenue', fmt.money(totals.estimatedRevenue)),
      kpi('roi', 'Estimated ROI', fmt.percent(totals.estimatedRoi)),
    ),
    h(
      'section',
      { class: 'card' },
      table(
        'Per channel type',
        ['Type', 'Channels', 'Participants', 'Views', 'Participation', 'Cost', 'Cost / participant'],
        summary.channelTypes.map((row) => [
          CHANNEL_TYPE_LABEL[row.channelType ?? ''] ?? 'Unknown yet',
          fmt.count(row.channels),
          fmt.count(row.participants),
          fmt.count(row.views),
          fmt.percent(row.participationRate),
          fmt.money(row.distributionCost),
          fmt.orDash(row.costPerParticipant, fmt.money),
        ]),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      table(
        `Events (${fmt.count(events.total)})`,
        ['Event', 'Status', 'Participants', 'New', 'Returning', 'Views', 'Investment', 'ROI'],
        events.items.map((item) => [
          h('a', { href: `#/event/${encodeURIComponent(item.eventId)}`, 'data-event-link': item.eventId }, item.title || item.eventId),
          h('span', { class: `status status-${item.status.toLowerCase()}` }, item.status),
          fmt.count(item.totalParticipants),
          fmt.count(item.newParticipants),
          fmt.count(item.returningParticipants),
          fmt.count(item.totalViews),
          fmt.money(item.totalInvestment),
          fmt.percent(item.estimatedRoi),
        ]),
        2,
      ),
      h(
        'nav',
        { class: 'pager', 'aria-label': 'Events pages' },
        h('button', { type: 'button', disabled: events.page <= 1, onclick: () => goTo(events.page - 1) }, '← Previous'),
        h('span', {}, `Page ${events.page} of ${pages}`),
        h('button', { type: 'button', disabled: events.page >= pages, onclick: () => goTo(events.page + 1) }, 'Next →'),
      ),
    ),
    summary.asOf === null ? null : h('p', { class: 'muted' }, `Newest activity: ${fmt.dateTime(summary.asOf)}`),
    summary.returningAsOf === null
      ? null
      : h('p', { class: 'muted' }, `New / returning (joined an earlier event of yours) up to ${fmt.dateTime(summary.returningAsOf)}`),
  )
}

export async function renderOverview(root: HTMLElement, userId: string): Promise<void> {
  const overview = h('div', { class: 'stack' })
  const webhooks = h('section', { class: 'card', id: 'webhooks', 'aria-labelledby': 'webhooks-title' })
  const show = async (page: number): Promise<void> => {
    render(overview, await api.owner(userId, page, PAGE_SIZE), (next) => void show(next))
  }
  await show(1)
  replace(root, overview, webhooks)
  await renderWebhooks(webhooks, userId)
}
