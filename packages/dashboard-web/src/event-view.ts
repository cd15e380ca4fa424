/**
 * The live event view. The dashboard stream (EventSource, session cookie) pushes the KPI
 * figures; each push also schedules one reload of the channel table, the ROI breakdown and
 * the timeline (coalesced: at most one in flight). "Updated N s ago" counts from the data's
 * asOf; the pipeline lag comes from the stream's `pipeline` frames.
 */
import { api } from './api.js'
import type { Channel, Dashboard, PipelineFrame } from '@event-analytics/query-api/schemas'
import { announce, h, replace } from './dom.js'
import { renderChannels, renderKpis, renderRoi } from './event-parts.js'
import type { SortState } from './event-parts.js'
import { fmt } from './format.js'
import { createTimelineChart } from './timeline-chart.js'

const GRANULARITIES = ['hour', 'day', 'week', 'month'] as const
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
const RELOAD_DELAY_MS = 300

function select(id: string, label: string, options: readonly string[], value: string, onChange: (value: string) => void): HTMLElement {
  const element = h(
    'select',
    { id, onchange: (event: Event) => onChange((event.target as HTMLSelectElement).value) },
    ...options.map((option) => h('option', { value: option, selected: option === value }, option)),
  )
  return h('div', { class: 'field' }, h('label', { for: id }, label), element)
}

export async function renderEvent(root: HTMLElement, eventId: string): Promise<() => void> {
  const [first, list, roi] = await Promise.all([api.dashboard(eventId), api.channels(eventId), api.roi(eventId)])
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone
  const state = {
    granularity: 'hour' as string,
    tz: 'Asia/Seoul',
    sort: { key: 'participants', descending: true } as SortState,
    channels: list.channels as Channel[],
    asOf: first.asOf,
    lag: null as number | null,
  }
  const kpis = h('section', { class: 'kpis', 'aria-label': 'Key figures' })
  const updated = h('span', { class: 'updated', 'data-updated': '' })
  const live = h('span', { class: 'live', 'data-live': 'connecting' }, 'connecting…')
  const channelsBox = h('div', {})
  const roiBox = h('div', {})
  const chartBox = h('div', { class: 'chart', role: 'img', 'aria-label': 'Participants per bucket and cumulative participants' })
  const timelineCsv = h(
    'a',
    { class: 'download', download: '', href: api.timelineCsvUrl(eventId, state.granularity, state.tz) },
    'Download CSV',
  )
  const chart = createTimelineChart(chartBox)

  const showDashboard = (dashboard: Dashboard): void => {
    renderKpis(kpis, dashboard)
    state.asOf = dashboard.asOf
    tick()
  }
  const showChannels = (): void =>
    renderChannels(channelsBox, state.channels, state.sort, (sort) => {
      state.sort = sort
      showChannels()
      channelsBox.querySelector<HTMLButtonElement>(`button[data-sort="${sort.key}"]`)?.focus()
    })
  const loadTimeline = async (): Promise<void> => {
    chart.update(await api.timeline(eventId, state.granularity, state.tz))
    timelineCsv.setAttribute('href', api.timelineCsvUrl(eventId, state.granularity, state.tz))
  }
  const tick = (): void => {
    const age = state.asOf === null ? null : (Date.now() - Date.parse(state.asOf)) / 1000
    updated.textContent = age === null ? 'no data yet' : `updated ${fmt.age(age)} ago`
    if (state.asOf !== null) updated.title = fmt.dateTime(state.asOf, state.tz)
    updated.dataset['asOf'] = state.asOf ?? ''
    if (state.lag !== null) updated.textContent += ` · pipeline lag ${fmt.age(state.lag)}`
  }

  // One reload at a time; pushes that arrive meanwhile ask for one more after it.
  let reloading: Promise<void> | undefined
  let again = false
  let timer: number | undefined
  const reload = (): void => {
    if (reloading !== undefined) {
      again = true
      return
    }
    reloading = (async () => {
      const [channels, freshRoi] = await Promise.all([api.channels(eventId), api.roi(eventId), loadTimeline()])
      state.channels = channels.channels
      showChannels()
      renderRoi(roiBox, freshRoi)
    })()
      .catch(() => undefined)
      .finally(() => {
        reloading = undefined
        if (again) {
          again = false
          reload()
        }
      })
  }

  replace(
    root,
    h('div', { class: 'crumbs' }, h('a', { href: `#/owner/${encodeURIComponent(first.event.userId)}` }, '← All campaigns')),
    h(
      'header',
      { class: 'event-head' },
      h('h1', { 'data-title': '' }, first.event.title || eventId),
      h(
        'p',
        { class: 'meta' },
        h('span', { class: `status status-${first.event.status.toLowerCase()}` }, first.event.status),
        live,
        updated,
      ),
    ),
    kpis,
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
          select('granularity', 'Granularity', GRANULARITIES, state.granularity, (value) => {
            state.granularity = value
            void loadTimeline()
          }),
          select('tz', 'Time zone', ZONES.includes(own) ? ZONES : [...ZONES, own], state.tz, (value) => {
            state.tz = value
            void loadTimeline()
          }),
          timelineCsv,
        ),
      ),
      chartBox,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'channels-h' },
      h(
        'div',
        { class: 'card-head' },
        h('h2', { id: 'channels-h' }, 'Channels'),
        h('a', { class: 'download', download: '', href: api.channelsCsvUrl(eventId) }, 'Download CSV'),
      ),
      channelsBox,
    ),
    h('section', { class: 'card', 'aria-labelledby': 'roi-h' }, h('h2', { id: 'roi-h' }, 'ROI breakdown'), roiBox),
  )

  showDashboard(first)
  showChannels()
  renderRoi(roiBox, roi)
  await loadTimeline()

  const stream = new EventSource(api.streamUrl(eventId))
  stream.addEventListener('open', () => {
    live.textContent = 'live'
    live.dataset['live'] = 'open'
    announce('Live updates on')
  })
  stream.addEventListener('error', () => {
    live.textContent = 'reconnecting…'
    live.dataset['live'] = 'reconnecting'
  })
  stream.addEventListener('dashboard', (event) => {
    showDashboard(JSON.parse((event as MessageEvent<string>).data) as Dashboard)
    // Throttled, not debounced: a steady stream of pushes must not postpone the reload forever.
    timer ??= window.setTimeout(() => {
      timer = undefined
      reload()
    }, RELOAD_DELAY_MS)
  })
  stream.addEventListener('pipeline', (event) => {
    state.lag = (JSON.parse((event as MessageEvent<string>).data) as PipelineFrame).lagSeconds
    tick()
  })
  const clock = window.setInterval(tick, 1000)
  return () => {
    stream.close()
    window.clearInterval(clock)
    window.clearTimeout(timer)
    chart.destroy()
  }
}
