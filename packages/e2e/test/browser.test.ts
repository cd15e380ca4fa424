/**
 * The owner's page in a real Chromium (playwright-core) over the whole pipeline: sign in with
 * a one-time link, the overview and the event view show what the API returns, the participant
 * count and the chart move without a reload while participants are produced to Kafka, time
 * zone and granularity switch, and the CSV downloads with the chart's rows.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { chromium } from 'playwright-core'
import type { Page } from 'playwright-core'
import { deterministicUuid, scenarioEvents } from '@event-analytics/simulator'
import type { DomainEvent } from '@event-analytics/contracts'
import { CHROMIUM_ARGS, ensureChromium } from '@event-analytics/dev-stack'
import { signLoginCode } from '@event-analytics/query-api'
import { JWT_SECRET, serveOnLoopback, startPipeline, waitUntilIdle } from './helpers/pipeline.js'
import { openPhoneContext } from './helpers/phone.js'
import { tablesFingerprint } from '../src/index.js'

const HOUR_MS = 3_600_000
const SCREENSHOT = process.env['DASHBOARD_SCREENSHOT']
const count = (value: number): string => new Intl.NumberFormat('ko-KR').format(value)

const pipeline = await startPipeline(t)
const base = await serveOnLoopback(pipeline)
const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 30 * HOUR_MS
const stream = [
  ...scenarioEvents({ seed: 20261129, start, idPrefix: pipeline.run, owners: 2, eventsPerOwner: 2, participants: 1500, spanHours: 30 }),
]
for (let index = 0; index < stream.length; index += 250) await pipeline.producer.send(stream.slice(index, index + 250))
await waitUntilIdle(pipeline, () => tablesFingerprint(pipeline.testDb.db))

const api = async <T>(path: string, sub: string): Promise<T> => {
  const response = await pipeline.app.inject({
    method: 'GET',
    url: path,
    headers: { authorization: `Bearer ${await pipeline.token(sub)}` },
  })
  if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}
// The live event: visible, ACTIVE when the scenario left one running, with the most participants.
const visible = await pipeline.testDb.db
  .selectFrom('event_stats')
  .select(['event_id', 'user_id', 'status', 'total_participants'])
  .where('event_created_at', 'is not', null)
  .orderBy('total_participants', 'desc')
  .execute()
const live = visible.find((row) => row.status === 'ACTIVE') ?? visible[0]!
const owner = live.user_id!
const eventId = live.event_id

const browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS })
t.teardown(() => browser.close())
const context = await browser.newContext({
  locale: 'ko-KR',
  timezoneId: 'Asia/Seoul',
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
})
const page = await context.newPage()
const kpi = (name: string) => page.locator(`main [data-kpi="${name}"] .kpi-value`)

async function waitForText(p: Page, selector: string, wanted: string, timeoutMs = 15_000): Promise<void> {
  await p.waitForFunction(([s, w]) => document.querySelector(s!)?.textContent === w, [selector, wanted], { timeout: timeoutMs })
}

t.test('a one-time link signs the owner in; the overview shows the API figures', async (t) => {
  await page.goto(`${base}/auth/login?code=${await signLoginCode(JWT_SECRET, owner)}`)
  await page.waitForURL(`${base}/#/owner/${owner}`)
  const summary = await api<{ totals: { totalParticipants: number; events: number } }>(`/api/v1/users/${owner}/analytics?limit=10`, owner)
  await waitForText(page, 'main [data-kpi="participants"] .kpi-value', count(summary.totals.totalParticipants))
  t.equal(await kpi('events').textContent(), count(summary.totals.events))
  const cookies = await context.cookies()
  t.match(
    cookies.find((cookie) => cookie.name === 'ea_session'),
    { httpOnly: true, sameSite: 'Strict' },
    'an HttpOnly session cookie',
  )
  const reused = await context.request.get(`${base}/auth/login?code=x${'y'.repeat(30)}`, { maxRedirects: 0 })
  t.equal(reused.status(), 401, 'a bad code is refused')
})

t.test('the event view shows the API figures, then moves without a reload', async (t) => {
  await page.click(`[data-event-link="${eventId}"]`)
  await page.waitForSelector('[data-live="open"]')
  const dashboard = await api<{ summary: { totalParticipants: number; totalViews: number } }>(`/api/v1/events/${eventId}/analytics`, owner)
  await waitForText(page, 'main [data-kpi="participants"] .kpi-value', count(dashboard.summary.totalParticipants))
  t.equal(await kpi('views').textContent(), count(dashboard.summary.totalViews))
  const timeline = await api<{ buckets: { cumulativeParticipants: number }[] }>(
    `/api/v1/events/${eventId}/analytics/timeline?granularity=hour&tz=Asia/Seoul`,
    owner,
  )
  t.equal(
    await page.getAttribute('.chart', 'data-cumulative'),
    String(timeline.buckets.at(-1)!.cumulativeParticipants),
    "the chart ends at the API's cumulative",
  )
  if (SCREENSHOT !== undefined) await page.screenshot({ path: SCREENSHOT, fullPage: true })

  await page.evaluate(() => {
    ;(window as unknown as { marker: number }).marker = 42
  })
  const now = Date.now()
  const fresh: DomainEvent[] = Array.from({ length: 25 }, (_, index) => ({
    kind: 'ParticipantRegistered',
    messageId: deterministicUuid(`${pipeline.run}-browser`, index),
    occurredAt: now - index * 10,
    eventId,
    participantId: `${pipeline.run}-browser-${index}`,
    channelName: null,
  }))
  await pipeline.producer.send(fresh)
  const expected = dashboard.summary.totalParticipants + fresh.length
  await waitForText(page, 'main [data-kpi="participants"] .kpi-value', count(expected), 30_000)
  await page.waitForFunction((wanted) => document.querySelector('.chart')?.getAttribute('data-cumulative') === String(wanted), expected, {
    timeout: 15_000,
  })
  t.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload happened')
  t.match(
    await page.textContent('[data-freshness]'),
    /^newest activity \d+ s ago · pipeline delay \d+(\.\d)? (s|min)$/,
    "the data's age and the pipeline's own delay, labelled apart",
  )
})

t.test("time zone and granularity switch; the CSV downloads the chart's rows", async (t) => {
  await page.selectOption('#tz', 'UTC')
  await page.selectOption('#granularity', 'day')
  const day = await api<{ buckets: { participants: number; bucketStart: string }[] }>(
    `/api/v1/events/${eventId}/analytics/timeline?granularity=day&tz=UTC`,
    owner,
  )
  await page.waitForFunction((n) => document.querySelector('.chart')?.getAttribute('data-buckets') === String(n), day.buckets.length)
  t.match(await page.getAttribute('a.download', 'href'), /timeline\.csv\?granularity=day&tz=UTC$/)
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.download >> nth=0')])
  const csv = readFileSync((await download.path())!, 'utf8')
  t.ok(csv.startsWith('\uFEFF'), 'UTF-8 BOM')
  const rows = csv.slice(1).trimEnd().split('\r\n')
  t.match(rows[0], /^event_id,event_title,granularity,time_zone,bucket_start,/)
  t.equal(rows.length - 1, day.buckets.length, 'one row per bucket')
  const participants = rows.slice(1).map((row) => Number(row.split(',')[6]))
  t.same(
    participants,
    day.buckets.map((bucket) => bucket.participants),
  )
  t.match(rows[1], new RegExp(`,day,UTC,${day.buckets[0]!.bucketStart.slice(0, 10)} 00:00\\+00:00,`))
})

t.test('readable on a phone, usable with the keyboard', async (t) => {
  const phone = await openPhoneContext(browser, context)
  const small = await phone.newPage()
  await small.goto(`${base}/#/event/${eventId}`)
  await small.waitForSelector('[data-live="open"]')
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  t.equal(overflow, 0, 'no sideways scrolling of the page (tables scroll inside their box)')
  if (SCREENSHOT !== undefined) await small.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-phone.png'), fullPage: true })
  await small.focus('button[data-sort="participationRate"]')
  await small.keyboard.press('Enter')
  t.equal(
    await small.getAttribute('th:has(button[data-sort="participationRate"])', 'aria-sort'),
    'descending',
    'Enter sorts by the focused column',
  )
  await phone.close()
})
