/**
 * The pace card: participants against the schedule (a bar: participants filled, a marker at
 * the count expected by now, the track ending at the expected total) and the projection at
 * endsAt with its range. Figures come computed from the API (dashboard `pacing`); this only
 * draws them. Without a schedule it says why there is no pacing.
 */
import type { Dashboard, Pacing } from '@event-analytics/query-api/schemas'
import { h, replace } from './dom.js'
import { fmt } from './format.js'

/** Percentage of `whole` (clamped 0..100) as a CSSOM length: the page's CSP allows no inline styles. */
function share(part: number, whole: number): string {
  return `${whole <= 0 ? 0 : Math.max(0, Math.min(100, (part / whole) * 100))}%`
}

function paceBar(pacing: Pacing): HTMLElement {
  const scale = Math.max(pacing.expectedParticipants, pacing.participants)
  const fill = h('span', { class: 'pace-fill' })
  fill.style.width = share(pacing.participants, scale)
  const marker = h('span', { class: 'pace-marker', title: `expected by now: ${fmt.count(pacing.expectedSoFar)}` })
  marker.style.left = share(pacing.expectedSoFar, scale)
  return h(
    'div',
    {
      class: 'pace-bar',
      role: 'meter',
      'aria-label': `Participants against the schedule: ${fmt.count(pacing.participants)} of ${fmt.count(pacing.expectedSoFar)} expected by now, ${fmt.count(pacing.expectedParticipants)} expected in total`,
      'aria-valuemin': 0,
      'aria-valuemax': pacing.expectedParticipants,
      'aria-valuenow': Math.min(pacing.participants, pacing.expectedParticipants),
    },
    fill,
    marker,
  )
}

function paceLegend(pacing: Pacing): HTMLElement {
  return h(
    'ul',
    { class: 'pace-legend' },
    h('li', { 'data-pace': 'participants' }, h('span', { class: 'swatch swatch-fill' }), `${fmt.count(pacing.participants)} participants`),
    h(
      'li',
      { 'data-pace': 'expected-so-far' },
      h('span', { class: 'swatch swatch-marker' }),
      `${fmt.count(pacing.expectedSoFar)} expected by now`,
    ),
    h(
      'li',
      { 'data-pace': 'expected-total' },
      h('span', { class: 'swatch swatch-track' }),
      `${fmt.count(pacing.expectedParticipants)} expected by the end`,
    ),
  )
}

function headline(pacing: Pacing): string {
  switch (pacing.phase) {
    case 'NOT_STARTED':
      return `Not started: the schedule starts ${fmt.dateTime(pacing.startsAt)}`
    case 'ENDED':
      // ENDED or ARCHIVED before its schedule ran out: the pace when it stopped, not of the whole schedule.
      return Date.parse(pacing.asOf) < Date.parse(pacing.endsAt)
        ? `Ended early (scheduled until ${fmt.dateTime(pacing.endsAt)}): ${fmt.percent(pacing.pacePercent)} of pace when it stopped`
        : `Ended ${fmt.dateTime(pacing.endsAt)}: ${fmt.percent(pacing.pacePercent)} of the expected participants`
    case 'RUNNING':
      return pacing.pacePercent === null ? 'Just started: nothing expected yet' : `${fmt.percent(pacing.pacePercent)} of pace`
  }
}

function projectionLine(pacing: Pacing): HTMLElement {
  const projection = pacing.projection
  if (projection === null) {
    const why = pacing.phase === 'NOT_STARTED' ? 'after the start' : 'once a whole hour of the schedule has passed'
    return h('p', { class: 'pace-projection', 'data-projection': 'none' }, `No projection yet: one is made ${why}.`)
  }
  const { participants: p, estimatedRoi: roi } = projection
  const final = pacing.phase === 'ENDED'
  return h(
    'p',
    { class: 'pace-projection', 'data-projection': `${p.low}..${p.expected}..${p.high}` },
    h('strong', {}, final ? 'Final: ' : `Projected by ${fmt.dateTime(projection.at)}: `),
    `${fmt.count(p.expected)} participants`,
    final ? '' : ` (range ${fmt.count(p.low)}–${fmt.count(p.high)})`,
    ` · ROI ${fmt.percent(roi.expected)}`,
    final ? '' : ` (${fmt.percent(roi.low)} to ${fmt.percent(roi.high)})`,
  )
}

function basis(pacing: Pacing): string {
  const rate = pacing.recentHourlyRate
  const asOf = `As of ${fmt.dateTime(pacing.asOf)} (the newest activity)`
  if (rate === null) return `${asOf}. Schedule ${fmt.dateTime(pacing.startsAt)} – ${fmt.dateTime(pacing.endsAt)}.`
  return (
    `${asOf}. Recent pace ${rate.perHour}/h over the last ${rate.hours} h (slow quarter ${rate.low}/h, fast quarter ${rate.high}/h), ` +
    `continued to ${fmt.dateTime(pacing.endsAt)}.`
  )
}

export function renderPace(root: HTMLElement, dashboard: Dashboard): void {
  // `?? null`: a body cached by an API older than these fields lacks them.
  const pacing = dashboard.pacing ?? null
  if (pacing === null) {
    const reason = dashboard.pacingUnavailable ?? null
    const text =
      reason?.reason === 'NO_SCHEDULE'
        ? 'No schedule: this event announced no start and end, so there is no pace to show.'
        : reason?.reason === 'NO_EXPECTED_PARTICIPANTS'
          ? 'No pace: this event expects no participants to pace against.'
          : 'No pace to show yet.'
    replace(root, h('p', { class: 'pace-none', 'data-pacing': reason?.reason ?? 'none', title: reason?.detail ?? '' }, text))
    return
  }
  root.dataset['phase'] = pacing.phase
  replace(
    root,
    h('p', { class: 'pace-headline', 'data-pacing': pacing.phase }, headline(pacing)),
    paceBar(pacing),
    paceLegend(pacing),
    projectionLine(pacing),
    h('p', { class: 'pace-basis' }, basis(pacing)),
  )
}
