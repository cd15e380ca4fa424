/**
 * New vs returning participants (docs/SPEC.md section 9a): the event's split, the cost per new
 * participant, and the split per channel, from the dashboard body. A stacked bar per row keeps it
 * readable on a phone without a wide table.
 */
import type { Dashboard } from '@event-analytics/query-api/schemas'
import { h, replace } from './dom.js'
import { fmt } from './format.js'

/** Width set through the CSSOM, not a style attribute: the page's CSP allows no inline styles. */
function split(fresh: number, returning: number): HTMLElement {
  const total = fresh + returning
  const part = (kind: string, count: number) => {
    const element = h('span', { class: `split-${kind}` })
    element.style.width = `${total === 0 ? 0 : (100 * count) / total}%`
    return element
  }
  return h('div', { class: 'split', 'aria-hidden': 'true' }, part('new', fresh), part('returning', returning))
}

function row(name: string, label: string, fresh: number, returning: number): HTMLElement {
  return h(
    'li',
    { 'data-returning-channel': name },
    h(
      'div',
      { class: 'split-head' },
      h('span', { class: 'split-name' }, label),
      h(
        'span',
        { class: 'split-counts' },
        h('span', { 'data-new': String(fresh) }, `${fmt.count(fresh)} new`),
        ' · ',
        h('span', { 'data-returning': String(returning) }, `${fmt.count(returning)} returning`),
      ),
    ),
    split(fresh, returning),
  )
}

export function renderReturning(root: HTMLElement, dashboard: Dashboard): void {
  const r = dashboard.returning
  const rows = dashboard.channels
    .filter((channel) => channel.newParticipants + channel.returningParticipants > 0)
    .map((channel) => row(channel.channelName, channel.channelName, channel.newParticipants, channel.returningParticipants))
  const none = r.withoutChannel
  if (none.newParticipants + none.returningParticipants > 0)
    rows.push(row('', 'No channel', none.newParticipants, none.returningParticipants))
  const figure = (name: string, label: string, value: string) =>
    h(
      'div',
      { class: 'kpi', 'data-kpi': name },
      h('span', { class: 'kpi-label' }, label),
      h('strong', { class: 'kpi-value', title: value }, value),
    )
  replace(
    root,
    h(
      'div',
      { class: 'kpis' },
      figure('new-participants', 'New participants', fmt.count(r.newParticipants)),
      figure('returning-participants', 'Returning participants', fmt.count(r.returningParticipants)),
      figure('cost-per-new', 'Cost / new participant', fmt.orDash(r.costPerNewParticipant, fmt.money)),
    ),
    rows.length === 0
      ? h('p', { class: 'kpi-note' }, 'No participants counted yet.')
      : h('ul', { class: 'splits', 'aria-label': 'New and returning per channel' }, ...rows),
    h(
      'p',
      { class: 'kpi-note', 'data-returning-as-of': r.asOf ?? '' },
      'Returning: joined an earlier event of yours. ',
      r.asOf === null ? 'Not counted yet.' : `Counts registrations up to ${fmt.dateTime(r.asOf)}.`,
    ),
  )
}
