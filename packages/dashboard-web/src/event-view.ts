/**
 * The live event view. The dashboard stream pushes the KPI figures; each push also schedules
 * one reload of the channel table, the ROI breakdown and the timeline (throttled, and coalesced:
 * at most one in flight). A clock re-renders the freshness line every second (freshness.ts).
 */
import { renderAlerts } from './alerts.js'
import { api } from './api.js'
import type { Channel, Dashboard } from '@event-analytics/query-api/schemas'
import { announce, replace } from './dom.js'
import { createEventParts, eventLayout, showLive } from './event-layout.js'
import { renderChannels, renderKpis, renderRoi } from './event-parts.js'
import type { SortState } from './event-parts.js'
import { renderReturning } from './returning.js'
import { openEventStream } from './event-stream.js'
import { renderPace } from './pace.js'
import { renderFreshness, type Freshness } from './freshness.js'
import { coalesced, throttled } from './schedule.js'
import { createTimelineChart } from './timeline-chart.js'

const RELOAD_DELAY_MS = 300

interface ViewState extends Freshness {
  granularity: string
  tz: string
  sort: SortState
  channels: Channel[]
}

export async function renderEvent(root: HTMLElement, eventId: string): Promise<() => void> {
  const [first, list, roi] = await Promise.all([api.dashboard(eventId), api.channels(eventId), api.roi(eventId)])
  const state: ViewState = {
    granularity: 'hour',
    tz: 'Asia/Seoul',
    sort: { key: 'participants', descending: true },
    channels: list.channels,
    asOf: first.asOf,
    committedAt: null,
    delay: null,
  }
  const parts = createEventParts(api.timelineCsvUrl(eventId, state.granularity, state.tz))
  const chart = createTimelineChart(parts.chart)

  const showFreshness = (): void => renderFreshness(parts.freshness, state, state.tz)
  const settingsHref = `#/settings/${encodeURIComponent(first.event.userId)}`
  const showDashboard = (dashboard: Dashboard): void => {
    // `?? []`: a body cached by an API older than the alerts lacks them.
    renderAlerts(parts.alerts, dashboard.alerts ?? [], settingsHref)
    renderKpis(parts.kpis, dashboard)
    renderPace(parts.pace, dashboard)
    chart.project(dashboard.pacing ?? null)
    renderReturning(parts.returning, dashboard)
    state.asOf = dashboard.asOf
    // `?? null`: a body cached by an API older than these fields lacks them.
    state.committedAt = dashboard.committedAt ?? null
    state.delay = dashboard.pipelineDelaySeconds ?? null
    showFreshness()
  }
  const showChannels = (): void =>
    renderChannels(parts.channels, state.channels, state.sort, (sort) => {
      state.sort = sort
      showChannels()
      parts.channels.querySelector<HTMLButtonElement>(`button[data-sort="${sort.key}"]`)?.focus()
    })
  // Loads overlap (a live reload, a zone then a granularity change): only the newest one asked is drawn.
  let timelineRequest = 0
  const loadTimeline = async (): Promise<void> => {
    const request = (timelineRequest += 1)
    const { granularity, tz } = state
    const timeline = await api.timeline(eventId, granularity, tz)
    if (request !== timelineRequest) return
    chart.update(timeline)
    parts.timelineCsv.setAttribute('href', api.timelineCsvUrl(eventId, granularity, tz))
  }
  const reload = coalesced(
    async () => {
      const [channels, freshRoi] = await Promise.all([api.channels(eventId), api.roi(eventId), loadTimeline()])
      state.channels = channels.channels
      // A live update must not take the keyboard focus away from the sort button it was on.
      const focused = parts.channels.contains(document.activeElement) ? document.activeElement?.getAttribute('data-sort') : null
      showChannels()
      if (focused) parts.channels.querySelector<HTMLButtonElement>(`button[data-sort="${focused}"]`)?.focus()
      renderRoi(parts.roi, freshRoi)
    },
    // A failed reload (network, a 5xx) keeps the figures already shown; the next push asks
    // again. Logged, not shown: the stream's own state already tells the owner about outages.
    (failure) => console.warn('reloading the event view failed', failure),
  )
  const reloadSoon = throttled(reload, RELOAD_DELAY_MS)

  replace(
    root,
    ...eventLayout(first.event, eventId, api.channelsCsvUrl(eventId), parts, {
      granularity: state.granularity,
      tz: state.tz,
      onGranularity: (value) => {
        state.granularity = value
        void loadTimeline()
      },
      onZone: (value) => {
        state.tz = value
        void loadTimeline()
      },
    }),
  )
  showDashboard(first)
  showChannels()
  renderRoi(parts.roi, roi)
  await loadTimeline()

  const closeStream = openEventStream(eventId, {
    onOpen: () => {
      showLive(parts.live, 'open')
      announce('Live updates on')
    },
    onError: () => showLive(parts.live, 'reconnecting'),
    onDashboard: (dashboard) => {
      showDashboard(dashboard)
      reloadSoon.request()
    },
    onPipeline: (frame) => {
      state.committedAt = frame.committedAt ?? null
      state.delay = frame.pipelineDelaySeconds ?? null
      showFreshness()
    },
  })
  const clock = window.setInterval(showFreshness, 1000)
  return () => {
    closeStream()
    window.clearInterval(clock)
    reloadSoon.cancel()
    chart.destroy()
  }
}
