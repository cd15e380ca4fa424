/**
 * Alerts on the owner's page in a real Chromium over the whole pipeline: an alert opens when a
 * committed batch trips its rule and appears above the figures without a reload, then resolves
 * and disappears the same way; the settings form saves, and refuses a bad value naming the field.
 *
 * The cost rule is driven by traffic alone (no clock): with the default factor 2, DEAR's cost
 * per participant goes above and then back below twice the event's.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { chromium } from 'playwright-core'
import type { Page } from 'playwright-core'
import { deterministicUuid } from '@event-analytics/simulator'
import type { DomainEvent } from '@event-analytics/contracts'
import { CHROMIUM_ARGS, ensureChromium } from '@event-analytics/dev-stack'
import { signLoginCode } from '@event-analytics/query-api'
import { JWT_SECRET, serveOnLoopback, startPipeline } from './helpers/pipeline.js'
import { openPhoneContext } from './helpers/phone.js'

const SCREENSHOT = process.env['DASHBOARD_SCREENSHOT']
const pipeline = await startPipeline(t)
const base = await serveOnLoopback(pipeline)

const eventId = `${pipeline.run}-alerts`
const owner = `${pipeline.run}-owner`
let sequence = 0
const messageId = (): string => deterministicUuid(`${pipeline.run}-alerts`, (sequence += 1))
const now = Date.now()
const participants = (channelName: string, count: number): DomainEvent[] =>
  Array.from({ length: count }, () => ({
    kind: 'ParticipantRegistered',
    messageId: messageId(),
    eventId,
    occurredAt: now,
    participantId: messageId(),
    channelName,
  }))
const distribution = (channels: readonly [string, string][]): DomainEvent => ({
  kind: 'DistributionCompleted',
  messageId: messageId(),
  eventId,
  occurredAt: now,
  channels: channels.map(([channelName, distributionCost]) => ({ channelName, channelType: 'SNS', distributionCost })),
})

const api = async <T>(path: string): Promise<T> => {
  const response = await pipeline.app.inject({ url: path, headers: { authorization: `Bearer ${await pipeline.token(owner)}` } })
  if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

/** Polls `check` until it holds (the pipeline gives no signal of its own to wait on). */
async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

// Event: 1000.00 own spend. CHEAP 100.00 for 10 participants, DEAR 200.00 for 1: the event's cost
// per participant is 1300 / 11 = 118.18, and DEAR's 200.00 is below twice that (236.36).
await pipeline.producer.send([
  {
    kind: 'EventCreated',
    messageId: messageId(),
    eventId,
    occurredAt: now - 3_600_000,
    userId: owner,
    title: 'Alerts fair',
    totalInvestment: '1000.00',
    expectedRevenue: '5000.00',
    expectedParticipants: 100,
    targetRoi: '50.00',
    salesGrowthRate: null,
  },
  distribution([
    ['CHEAP', '100.00'],
    ['DEAR', '200.00'],
  ]),
  ...participants('CHEAP', 10),
  ...participants('DEAR', 1),
])
await waitFor(
  async () =>
    (await pipeline.testDb.db.selectFrom('event_stats').select('total_participants').where('event_id', '=', eventId).executeTakeFirst())
      ?.total_participants === 11,
  'the first traffic to be applied',
)

const browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS })
t.teardown(() => browser.close())
const context = await browser.newContext({ locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport: { width: 1280, height: 900 } })
const page = await context.newPage()
const alertItem = '.alerts [data-alert-rule="channel_cost_high"][data-alert-channel="DEAR"]'

async function phoneShot(path: string, name: string): Promise<void> {
  if (SCREENSHOT === undefined) return
  const phone = await openPhoneContext(browser, context)
  const small = await phone.newPage()
  await small.goto(`${base}/${path}`)
  await small.waitForSelector('main h1')
  await small.waitForLoadState('networkidle')
  await small.screenshot({ path: SCREENSHOT.replace(/\.png$/, `-${name}-phone.png`), fullPage: true })
  await phone.close()
}

async function noSidewaysScroll(p: Page): Promise<number> {
  return p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
}

t.test('an alert opens and resolves on the event page without a reload', async (t) => {
  await page.goto(`${base}/auth/login?code=${await signLoginCode(JWT_SECRET, owner)}`)
  await page.waitForURL(`${base}/#/owner/${owner}`)
  await page.goto(`${base}/#/event/${eventId}`)
  await page.waitForSelector('[data-live="open"]')
  t.equal(await page.isHidden('.alerts'), true, 'no alert yet: nothing shown above the figures')
  await page.evaluate(() => {
    ;(window as unknown as { marker: number }).marker = 42
  })

  // DEAR 300.00 for 1 against 1400 / 11 = 127.27 for the event: above twice it.
  await pipeline.producer.send([distribution([['DEAR', '100.00']])])
  await page.waitForSelector(alertItem, { timeout: 30_000 })
  t.match(await page.textContent(alertItem), /DEAR costs ₩300 per participant, above 2\.00 × the event's ₩127\b/)
  const top = await page.evaluate(() => {
    const alerts = document.querySelector('.alerts')!.getBoundingClientRect().top
    const figures = document.querySelector('.kpis')!.getBoundingClientRect().top
    return alerts < figures
  })
  t.ok(top, 'the alert sits above the figures')
  const open = await api<{ alerts: { rule: string; state: string }[] }>(`/api/v1/events/${eventId}/alerts`)
  t.same(
    open.alerts.map((alert) => [alert.rule, alert.state]),
    [['channel_cost_high', 'open']],
  )
  if (SCREENSHOT !== undefined) await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-alert.png'), fullPage: true })
  await phoneShot(`#/event/${eventId}`, 'alert')

  // Two more DEAR participants: 100.00 each against 1400 / 13 = 107.69: below twice it.
  await pipeline.producer.send(participants('DEAR', 2))
  await page.waitForSelector(alertItem, { state: 'detached', timeout: 30_000 })
  t.equal(await page.isHidden('.alerts'), true, 'the resolved alert is gone from the top')
  t.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload happened')
  const resolved = await api<{ alerts: { rule: string; state: string }[] }>(`/api/v1/events/${eventId}/alerts`)
  t.same(
    resolved.alerts.map((alert) => [alert.rule, alert.state]),
    [['channel_cost_high', 'resolved']],
  )
  const outbox = await pipeline.testDb.db
    .selectFrom('alert_transitions')
    .select(['state', 'rule', 'channel_name', 'occurred_at', 'details'])
    .where('event_id', '=', eventId)
    .orderBy('id')
    .execute()
  t.same(
    outbox.map((row) => row.state),
    ['open', 'resolved'],
    'one transition each way in the outbox',
    { transitions: outbox.map((row) => ({ ...row, occurred_at: row.occurred_at.toISOString() })) },
  )
})

t.test('the settings form refuses a bad value naming the field, then saves', async (t) => {
  await page.goto(`${base}/#/settings/${owner}`)
  await page.waitForSelector('#setting-channelSilentHours')
  t.equal(await page.inputValue('#setting-channelSilentHours'), '6', 'the defaults are shown')
  await page.fill('#setting-channelSilentHours', '200')
  await page.click('form.settings button[type="submit"]')
  await page.waitForFunction(() => (document.querySelector('[data-settings-error]')?.textContent ?? '') !== '')
  t.match(await page.textContent('[data-settings-error]'), /channelSilentHours/, 'the problem names the field')
  t.equal(await page.getAttribute('#setting-channelSilentHours', 'aria-invalid'), 'true', 'the field is marked')
  if (SCREENSHOT !== undefined) await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-settings-error.png'), fullPage: true })
  t.same((await api<{ saved: boolean }>(`/api/v1/users/${owner}/alert-settings`)).saved, false, 'nothing was stored')

  await page.fill('#setting-channelSilentHours', '12')
  await page.fill('#setting-channelCostFactor', '3.5')
  await page.uncheck('input[name="providerStaleEnabled"]')
  await page.click('form.settings button[type="submit"]')
  await page.waitForFunction(() => document.querySelector('[data-settings-saved]')?.textContent === 'Saved.')
  t.equal(await page.textContent('[data-settings-error]'), '')
  t.equal(await page.getAttribute('#setting-channelSilentHours', 'aria-invalid'), null)
  const stored = await api<{ saved: boolean; thresholds: Record<string, unknown> }>(`/api/v1/users/${owner}/alert-settings`)
  t.match(stored, { saved: true, thresholds: { channelSilentHours: 12, channelCostFactor: '3.50', providerStaleEnabled: false } })
  t.equal(await noSidewaysScroll(page), 0)
  await phoneShot(`#/settings/${owner}`, 'settings')
  await phoneShot(`#/owner/${owner}`, 'overview')
})
