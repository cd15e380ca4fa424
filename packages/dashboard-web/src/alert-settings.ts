/**
 * The owner's alert thresholds: a form over GET/PUT /users/{userId}/alert-settings. The API
 * validates (ranges, decimals); a refusal is shown as its problem detail, on the field it names.
 */
import type { AlertSettings, AlertThresholds } from '@event-analytics/query-api/schemas'
import { ApiError, api } from './api.js'
import { announce, h, replace } from './dom.js'

type Field = keyof AlertThresholds

interface Rule {
  readonly title: string
  readonly enabled: Field
  readonly value: Field
  readonly label: string
  readonly hint: string
  /** Integers go as JSON numbers, decimals as exact strings. */
  readonly integer: boolean
}

const RULES: readonly Rule[] = [
  {
    title: 'Channel gone silent',
    enabled: 'channelSilentEnabled',
    value: 'channelSilentHours',
    label: 'Hours without a participant',
    hint: '1 to 168',
    integer: true,
  },
  {
    title: 'Cost per participant high',
    enabled: 'channelCostHighEnabled',
    value: 'channelCostFactor',
    label: "Times the event's cost per participant",
    hint: '1 to 100, two decimals at most',
    integer: false,
  },
  {
    title: 'Channel metrics stale',
    enabled: 'providerStaleEnabled',
    value: 'providerStaleMinutes',
    label: 'Minutes without fresh metrics',
    hint: '5 to 10080',
    integer: true,
  },
  {
    title: 'Behind pace',
    enabled: 'paceLowEnabled',
    value: 'paceRatio',
    label: 'Share of the expected participants so far',
    hint: 'above 0, at most 1',
    integer: false,
  },
]

function ruleFieldset(rule: Rule, thresholds: AlertThresholds): HTMLElement {
  return h(
    'fieldset',
    { class: 'rule' },
    h('legend', {}, rule.title),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: rule.enabled, checked: thresholds[rule.enabled] === true }), 'On'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: `setting-${rule.value}` }, rule.label),
      h('input', {
        id: `setting-${rule.value}`,
        name: rule.value,
        inputmode: rule.integer ? 'numeric' : 'decimal',
        value: String(thresholds[rule.value]),
        'aria-describedby': `hint-${rule.value}`,
      }),
      h('span', { id: `hint-${rule.value}`, class: 'muted' }, rule.hint),
    ),
  )
}

function readForm(form: HTMLFormElement): Record<string, unknown> {
  const value = (name: string) => form.querySelector<HTMLInputElement>(`[name="${name}"]`)
  const body: Record<string, unknown> = {}
  for (const rule of RULES) {
    body[rule.enabled] = value(rule.enabled)?.checked ?? false
    const raw = value(rule.value)?.value.trim() ?? ''
    // A non-number goes as null: the API names the field in its refusal.
    body[rule.value] = rule.integer ? (raw === '' || Number.isNaN(Number(raw)) ? null : Number(raw)) : raw
  }
  body['roiProjectedLowEnabled'] = value('roiProjectedLowEnabled')?.checked ?? false
  return body
}

function markInvalid(form: HTMLFormElement, detail: string): void {
  for (const input of form.querySelectorAll<HTMLInputElement>('input')) {
    const named = new RegExp(`\\b${input.name}\\b`).test(detail)
    if (named) input.setAttribute('aria-invalid', 'true')
    else input.removeAttribute('aria-invalid')
  }
  form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus()
}

export async function renderAlertSettings(root: HTMLElement, userId: string): Promise<void> {
  const settings: AlertSettings = await api.alertSettings(userId)
  const error = h('p', { class: 'error', role: 'alert', 'data-settings-error': '' })
  const saved = h('p', { class: 'muted', role: 'status', 'data-settings-saved': '' }, settings.saved ? '' : 'Showing the defaults.')
  const form = h(
    'form',
    { class: 'card settings', novalidate: true },
    ...RULES.map((rule) => ruleFieldset(rule, settings.thresholds)),
    h(
      'fieldset',
      { class: 'rule' },
      h('legend', {}, 'ROI below target'),
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', name: 'roiProjectedLowEnabled', checked: settings.thresholds.roiProjectedLowEnabled }),
        'On',
      ),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'), saved),
    error,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    error.textContent = ''
    saved.textContent = 'Saving…'
    api
      .saveAlertSettings(userId, readForm(form))
      .then(() => {
        markInvalid(form, '')
        saved.textContent = 'Saved.'
        announce('Alert settings saved')
      })
      .catch((failure: unknown) => {
        saved.textContent = ''
        const detail = failure instanceof ApiError ? failure.problem.detail : 'saving failed'
        error.textContent = detail
        markInvalid(form, detail)
      })
  })
  replace(
    root,
    h('div', { class: 'crumbs' }, h('a', { href: `#/owner/${encodeURIComponent(userId)}` }, '← All campaigns')),
    h('h1', {}, 'Alert settings'),
    h('p', { class: 'muted' }, 'Alerts open on the event page while their rule holds and resolve by themselves.'),
    form,
  )
}
