/** Pieces of the event view: KPI cards, the sortable channel table, the ROI breakdown. */
import type { Channel, Dashboard, Roi } from '@event-analytics/query-api/schemas'
import { h, replace } from './dom.js'
import { fmt } from './format.js'

/** Width set through the CSSOM, not a style attribute: the page's CSP allows no inline styles. */
function meterFill(achievement: number | null): HTMLElement {
  const fill = h('span', {})
  fill.style.width = `${achievement === null ? 0 : Math.max(0, Math.min(100, achievement))}%`
  return fill
}

export function renderKpis(root: HTMLElement, dashboard: Dashboard): void {
  const s = dashboard.summary
  const achievement = s.roiAchievementRate === null ? null : Number(s.roiAchievementRate)
  const bar = h(
    'div',
    {
      class: 'meter',
      role: 'meter',
      'aria-label': 'ROI target achievement',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': achievement === null ? undefined : Math.max(0, Math.min(100, achievement)),
    },
    meterFill(achievement),
  )
  const card = (name: string, label: string, value: string, ...extra: (Node | string | null)[]) =>
    h(
      'div',
      { class: 'kpi', 'data-kpi': name },
      h('span', { class: 'kpi-label' }, label),
      h('strong', { class: 'kpi-value', title: value }, value),
      ...extra,
    )
  replace(
    root,
    card('participants', 'Participants', fmt.count(s.totalParticipants)),
    card('views', 'Views', fmt.count(s.totalViews)),
    card('investment', 'Investment', fmt.money(s.totalInvestment)),
    card(
      'revenue',
      'Estimated revenue',
      fmt.money(s.estimatedRevenue),
      h('span', { class: 'kpi-note' }, `expected ${fmt.money(s.expectedRevenue)}`),
    ),
    card(
      'roi',
      'ROI vs target',
      fmt.percent(s.estimatedRoi),
      h(
        'span',
        { class: 'kpi-note' },
        `target ${fmt.percent(s.targetRoi)} · ${achievement === null ? 'no target' : `${fmt.percent(s.roiAchievementRate)} achieved`}`,
      ),
      bar,
    ),
  )
}

type Column = { key: keyof Channel; label: string; format: (channel: Channel) => string; numeric: boolean }

const COLUMNS: readonly Column[] = [
  { key: 'channelName', label: 'Channel', format: (c) => c.channelName, numeric: false },
  { key: 'channelType', label: 'Type', format: (c) => c.channelType ?? '—', numeric: false },
  { key: 'participants', label: 'Participants', format: (c) => fmt.count(c.participants), numeric: true },
  { key: 'views', label: 'Views', format: (c) => fmt.count(c.views), numeric: true },
  { key: 'clicks', label: 'Clicks', format: (c) => fmt.count(c.clicks), numeric: true },
  { key: 'ctr', label: 'CTR', format: (c) => fmt.percent(c.ctr), numeric: true },
  { key: 'participationRate', label: 'Participation', format: (c) => fmt.percent(c.participationRate), numeric: true },
  { key: 'conversionRate', label: 'Conversion', format: (c) => fmt.percent(c.conversionRate), numeric: true },
  { key: 'callCompletionRate', label: 'Call completion', format: (c) => fmt.percent(c.callCompletionRate), numeric: true },
  { key: 'distributionCost', label: 'Cost', format: (c) => fmt.money(c.distributionCost), numeric: true },
  { key: 'costPerParticipant', label: 'Cost / participant', format: (c) => fmt.orDash(c.costPerParticipant, fmt.money), numeric: true },
]

export interface SortState {
  key: keyof Channel
  descending: boolean
}

/** Nulls last whatever the direction; numbers and decimal strings compare as numbers. */
function compare(a: Channel, b: Channel, sort: SortState): number {
  const left = a[sort.key]
  const right = b[sort.key]
  if (left === null || right === null) return left === right ? 0 : left === null ? 1 : -1
  const numeric = typeof left === 'number' || (typeof left === 'string' && /^-?\d+(\.\d+)?$/.test(left))
  const order = numeric ? Number(left) - Number(right) : String(left).localeCompare(String(right))
  return sort.descending ? -order : order
}

export function renderChannels(root: HTMLElement, channels: readonly Channel[], sort: SortState, onSort: (next: SortState) => void): void {
  const sorted = [...channels].sort((a, b) => compare(a, b, sort) || a.channelName.localeCompare(b.channelName))
  const header = COLUMNS.map((column) => {
    const active = column.key === sort.key
    return h(
      'th',
      {
        scope: 'col',
        class: column.numeric ? 'num' : undefined,
        'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : 'none',
      },
      h(
        'button',
        {
          type: 'button',
          class: 'sort',
          'data-sort': column.key,
          onclick: () => onSort({ key: column.key, descending: active ? !sort.descending : column.numeric }),
        },
        column.label,
        h('span', { 'aria-hidden': 'true' }, active ? (sort.descending ? ' ▼' : ' ▲') : ''),
      ),
    )
  })
  const rows = sorted.map((channel) =>
    h(
      'tr',
      { 'data-channel': channel.channelName },
      ...COLUMNS.map((column, index) =>
        h(
          'td',
          { class: column.numeric ? 'num' : undefined },
          column.format(channel),
          index === 0 && channel.stale
            ? h(
                'span',
                { class: 'badge stale', title: 'Metrics are not current: the provider is failing or has not answered lately' },
                'stale',
              )
            : null,
        ),
      ),
    ),
  )
  replace(
    root,
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Channels' },
      h(
        'table',
        {},
        h('caption', {}, 'Channels (choose a column to sort)'),
        h('thead', {}, h('tr', {}, ...header)),
        h('tbody', {}, ...rows),
      ),
    ),
  )
}

export function renderRoi(root: HTMLElement, roi: Roi): void {
  const line = (label: string, value: string, strong = false) =>
    h('div', { class: strong ? 'row strong' : 'row' }, h('dt', {}, label), h('dd', {}, value))
  replace(
    root,
    h(
      'dl',
      { class: 'breakdown', 'data-roi': roi.estimatedRoi },
      line('Own investment', fmt.money(roi.investment.ownInvestment)),
      ...roi.investment.channels.map((c) =>
        line(`Distribution · ${c.channelName} (${fmt.count(c.distributionCount)}×)`, fmt.money(c.distributionCost)),
      ),
      line('Total investment', fmt.money(roi.investment.totalInvestment), true),
      line('Expected revenue', fmt.money(roi.revenue.expectedRevenue)),
      line(
        `Estimated revenue (${fmt.count(roi.revenue.totalParticipants)} of ${roi.revenue.expectedParticipants === null ? '—' : fmt.count(roi.revenue.expectedParticipants)} expected participants)`,
        fmt.money(roi.revenue.estimatedRevenue),
        true,
      ),
      line('Estimated ROI', fmt.percent(roi.estimatedRoi), true),
      line('Target ROI', fmt.percent(roi.targetRoi)),
      line('Target achieved', fmt.percent(roi.roiAchievementRate)),
      roi.salesGrowthRate === null ? null : line('Sales growth', fmt.percent(roi.salesGrowthRate)),
    ),
  )
}
