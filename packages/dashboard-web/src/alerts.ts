/** The event's open alerts, shown first on the event page and replaced on every dashboard push. */
import type { Alert } from '@event-analytics/query-api/schemas'
import { h, replace } from './dom.js'
import { fmt } from './format.js'

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '')

/** What the owner reads for each rule: the channel, and the figures that tripped it. */
function message(alert: Alert): string {
  const channel = alert.channelName ?? 'The event'
  const d = alert.details
  switch (alert.rule) {
    case 'channel_silent':
      return `${channel} has brought no participant for ${text(d['silentHours'])} hours or more (since ${fmt.dateTime(text(d['silentSince']))}), while other channels still do.`
    case 'channel_cost_high':
      return `${channel} costs ${fmt.money(text(d['channelCostPerParticipant']))} per participant, above ${text(d['costFactor'])} × the event's ${fmt.money(text(d['eventCostPerParticipant']))}.`
    case 'provider_stale':
      return `${channel}: the ${text(d['channelType'])} metrics provider has not reported for ${text(d['staleMinutes'])} minutes or more; its figures may be old.`
    case 'pace_low':
      return `${fmt.count(Number(d['participants']))} participants against ${fmt.count(Number(d['expectedSoFar']))} expected by now (${fmt.percent(text(d['pacePercent']) || null)} of pace, alert below ${text(d['paceRatio'])}).`
    case 'roi_projected_low':
      return `The ROI projected at the end is ${fmt.percent(text(d['projectedRoi']))} (range ${fmt.percent(text(d['projectedRoiLow']))} to ${fmt.percent(text(d['projectedRoiHigh']))}), below the ${fmt.percent(text(d['targetRoi']))} target.`
  }
}

const TITLES: Record<Alert['rule'], string> = {
  channel_silent: 'Channel gone silent',
  channel_cost_high: 'Cost per participant high',
  provider_stale: 'Channel metrics stale',
  pace_low: 'Behind pace',
  roi_projected_low: 'ROI below target',
}

/** An empty section is hidden: no alert, no space taken above the figures. */
export function renderAlerts(root: HTMLElement, alerts: readonly Alert[], settingsHref: string): void {
  root.hidden = alerts.length === 0
  replace(
    root,
    h(
      'div',
      { class: 'alerts-head' },
      h('h2', { id: 'alerts-h' }, alerts.length === 1 ? '1 open alert' : `${alerts.length} open alerts`),
      h('a', { href: settingsHref }, 'Alert settings'),
    ),
    h(
      'ul',
      { class: 'alert-list' },
      ...alerts.map((alert) =>
        h(
          'li',
          { class: 'alert', 'data-alert-rule': alert.rule, 'data-alert-channel': alert.channelName ?? '' },
          h('strong', {}, TITLES[alert.rule]),
          h('span', {}, message(alert)),
          h('span', { class: 'muted' }, `open since ${fmt.dateTime(alert.openedAt)}`),
        ),
      ),
    ),
  )
}
