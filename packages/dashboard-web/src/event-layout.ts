/** The event view's page structure: its parts as elements, and the page around them. No data loading. */
import type { Dashboard } from '@event-analytics/query-api/schemas'
import { h } from './dom.js'

export const GRANULARITIES = ['hour', 'day', 'week', 'month'] as const
const ZONES = [
  'Asia/Seoul',
  'UTC',
  'Asia/Tokyo',
  'Asia/Singapore',
  'Asia/Kolkata',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
]

/** The elements the view fills in and updates. */
export interface EventParts {
  alerts: HTMLElement
  kpis: HTMLElement
  pace: HTMLElement
  freshness: HTMLElement
  live: HTMLElement
  channels: HTMLElement
  returning: HTMLElement
  roi: HTMLElement
  chart: HTMLElement
  timelineCsv: HTMLElement
}

export function createEventParts(timelineCsvHref: string): EventParts {
  return {
    alerts: h('section', { class: 'alerts', 'aria-labelledby': 'alerts-h', 'aria-live': 'polite', hidden: true }),
    kpis: h('section', { class: 'kpis', 'aria-label': 'Key figures' }),
    pace: h('div', { class: 'pace', 'data-pace-card': '' }),
    freshness: h('span', { class: 'freshness', 'data-freshness': '' }),
    live: h('span', { class: 'live', 'data-live': 'connecting' }, 'connecting…'),
    channels: h('div', {}),
    returning: h('div', { 'data-returning-card': '' }),
    roi: h('div', {}),
    chart: h('div', {
      class: 'chart',
      role: 'img',
      'aria-label': 'Participants per bucket, cumulative participants, and the projection to the end of the schedule',
    }),
    timelineCsv: h('a', { class: 'download', download: '', href: timelineCsvHref }, 'Download CSV'),
  }
}

/** The stream's state as the page shows it. */
export function showLive(live: HTMLElement, state: 'open' | 'reconnecting'): void {
  live.textContent = state === 'open' ? 'live' : 'reconnecting…'
  live.dataset['live'] = state
}

export interface TimelineControls {
  granularity: string
  tz: string
  onGranularity(value: string): void
  onZone(value: string): void
}

function select(id: string, label: string, options: readonly string[], value: string, onChange: (value: string) => void): HTMLElement {
  const element = h(
    'select',
    { id, onchange: (event: Event) => onChange((event.target as HTMLSelectElement).value) },
    ...options.map((option) => h('option', { value: option, selected: option === value }, option)),
  )
  return h('div', { class: 'field' }, h('label', { for: id }, label), element)
}

/** The page: crumbs, header (status, live state, freshness), open alerts, KPIs, timeline, channels, new vs returning, ROI. */
export function eventLayout(
  event: Dashboard['event'],
  eventId: string,
  channelsCsvHref: string,
  parts: EventParts,
  controls: TimelineControls,
): HTMLElement[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone
  return [
    h('div', { class: 'crumbs' }, h('a', { href: `#/owner/${encodeURIComponent(event.userId)}` }, '← All campaigns')),
    h(
      'header',
      { class: 'event-head' },
      h('h1', { 'data-title': '' }, event.title || eventId),
      h(
        'p',
        { class: 'meta' },
        h('span', { class: `status status-${event.status.toLowerCase()}` }, event.status),
        parts.live,
        parts.freshness,
      ),
    ),
    parts.alerts,
    parts.kpis,
    h('section', { class: 'card', 'aria-labelledby': 'pace-h' }, h('h2', { id: 'pace-h' }, 'Pace'), parts.pace),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'timeline-h' },
      h(
        'div',
        { class: 'card-head' },
        h('h2', { id: 'timeline-h' }, 'Timeline'),
        h(
          'div',
          { class: 'controls' },
          select('granularity', 'Granularity', GRANULARITIES, controls.granularity, controls.onGranularity),
          select('tz', 'Time zone', ZONES.includes(own) ? ZONES : [...ZONES, own], controls.tz, controls.onZone),
          parts.timelineCsv,
        ),
      ),
      parts.chart,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'channels-h' },
      h(
        'div',
        { class: 'card-head' },
        h('h2', { id: 'channels-h' }, 'Channels'),
        h('a', { class: 'download', download: '', href: channelsCsvHref }, 'Download CSV'),
      ),
      parts.channels,
    ),
    h('section', { class: 'card', 'aria-labelledby': 'returning-h' }, h('h2', { id: 'returning-h' }, 'New vs returning'), parts.returning),
    h('section', { class: 'card', 'aria-labelledby': 'roi-h' }, h('h2', { id: 'roi-h' }, 'ROI breakdown'), parts.roi),
  ]
}
