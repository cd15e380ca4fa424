/**
 * The pace card and the projection in a real Chromium over the whole pipeline: a scheduled
 * event (writer schema v2) shows participants against the count expected by now and the
 * projection at endsAt, on the card and as a dashed line on the timeline chart; an unscheduled
 * one (writer schema v1) says it has no schedule. Desktop and a 390x844 phone.
 * PACE_SCREENSHOTS=<dir> keeps the screenshots.
 */
import { join } from 'node:path'
import t from 'tap'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { createRandom, deterministicUuid } from '@event-analytics/simulator'
import { eventCreatedV1Schema, type DomainEvent, type EventCreated } from '@event-analytics/contracts'
import { CHROMIUM_ARGS, ensureChromium } from '@event-analytics/dev-stack'
import { signLoginCode } from '@event-analytics/query-api'
import { JWT_SECRET, serveOnLoopback, startPipeline, waitUntilIdle } from './helpers/pipeline.js'
import { produce } from './helpers/api.js'
import { openPhoneContext } from './helpers/phone.js'
import { tablesFingerprint } from '../src/index.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const SEED = Number(process.env['PACE_SEED'] ?? 20261206)
const SCREENSHOTS = process.env['PACE_SCREENSHOTS']
t.comment(`seed ${SEED}`)

const pipeline = await startPipeline(t)
const base = await serveOnLoopback(pipeline)
const owner = `${pipeline.run}-owner`
const now = Date.now()
const random = createRandom(SEED)

function created(eventId: string, title: string, schedule: Pick<EventCreated, 'startsAt' | 'endsAt'>): EventCreated {
  return {
    kind: 'EventCreated',
    messageId: deterministicUuid(`${eventId}-created`, 0),
    occurredAt: now - 2 * DAY_MS,
    eventId,
    userId: owner,
    title,
    totalInvestment: '2000000.00',
    expectedRevenue: '9000000.00',
    expectedParticipants: 6000,
    targetRoi: '150.00',
    salesGrowthRate: null,
    ...schedule,
  }
}

/** About `perHour` participants in every hour from `from` to now (seeded jitter). */
function participants(eventId: string, from: number, perHour: number): DomainEvent[] {
  const events: DomainEvent[] = []
  for (let hour = from; hour < now; hour += HOUR_MS) {
    const count = random.int(Math.floor(perHour * 0.6), Math.ceil(perHour * 1.4))
    for (let index = 0; index < count; index += 1) {
      const occurredAt = Math.min(now - 1, hour + random.int(0, HOUR_MS - 1))
      events.push({
        kind: 'ParticipantRegistered',
        messageId: deterministicUuid(`${eventId}-p`, events.length),
        occurredAt,
        eventId,
        participantId: `p-${events.length}`,
        channelName: 'INSTAGRAM',
      })
    }
  }
  return events
}

const scheduled = created(`${pipeline.run}-paced`, 'Winter stamp rally', { startsAt: now - 30 * HOUR_MS, endsAt: now + 10 * DAY_MS })
const unscheduled = created(`${pipeline.run}-open`, 'Open-ended giveaway', {})
await pipeline.producer.sendWithWriterSchema(eventCreatedV1Schema(), [unscheduled])
await produce(pipeline, [
  scheduled,
  ...participants(scheduled.eventId, scheduled.startsAt!, 20),
  ...participants(unscheduled.eventId, now - 10 * HOUR_MS, 5),
])
await waitUntilIdle(pipeline, () => tablesFingerprint(pipeline.testDb.db))

interface PacingBody {
  pacing: {
    phase: string
    participants: number
    expectedSoFar: number
    pacePercent: string | null
    projection: { participants: { expected: number; low: number; high: number } } | null
  } | null
}
const dashboard = async (eventId: string): Promise<PacingBody> => {
  const response = await pipeline.app.inject({
    method: 'GET',
    url: `/api/v1/events/${eventId}/analytics`,
    headers: { authorization: `Bearer ${await pipeline.token(owner)}` },
  })
  if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`)
  return response.json() as PacingBody
}

const browser: Browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS })
t.teardown(() => browser.close())
const context = await browser.newContext({ locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport: { width: 1280, height: 900 } })
const page = await context.newPage()
await page.goto(`${base}/auth/login?code=${await signLoginCode(JWT_SECRET, owner)}`)
await page.waitForURL(`${base}/#/owner/${owner}`)

async function openEvent(p: Page, eventId: string): Promise<void> {
  await p.goto(`${base}/#/event/${eventId}`)
  await p.waitForSelector('[data-live="open"]')
  await p.waitForSelector('[data-pace-card] > *')
}

async function shoot(p: Page, name: string): Promise<void> {
  if (SCREENSHOTS !== undefined) await p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

t.test('a scheduled event: the pace bar and the projection, on the card and the chart', async (t) => {
  const { pacing } = await dashboard(scheduled.eventId)
  if (pacing === null || pacing.projection === null) throw new Error(`no pacing or projection: ${JSON.stringify(pacing)}`)
  t.equal(pacing.phase, 'RUNNING')
  await openEvent(page, scheduled.eventId)
  const projected = pacing.projection.participants
  const range = `${projected.low}..${projected.expected}..${projected.high}`
  t.equal(await page.getAttribute('.pace-projection', 'data-projection'), range, 'the card shows the API projection')
  t.match(await page.textContent('.pace-headline'), `${pacing.pacePercent}% of pace`)
  const count = (value: number): string => new Intl.NumberFormat('ko-KR').format(value)
  t.match(await page.textContent('[data-pace="participants"]'), count(pacing.participants))
  t.match(await page.textContent('[data-pace="expected-so-far"]'), count(pacing.expectedSoFar))
  t.match(await page.textContent('[data-pace="expected-total"]'), count(6000))
  const fill = await page.$eval('.pace-fill', (element) => element.getBoundingClientRect().width)
  const track = await page.$eval('.pace-bar', (element) => element.getBoundingClientRect().width)
  t.ok(Math.abs(fill / track - Math.min(1, pacing.participants / 6000)) < 0.01, 'the fill is participants of the expected total')
  t.equal(await page.getAttribute('.chart', 'data-projection'), range, 'the chart draws the same projection')
  await shoot(page, 'pace-desktop')
})

t.test('an unscheduled event says it has no schedule, and the chart has no projection', async (t) => {
  t.equal((await dashboard(unscheduled.eventId)).pacing, null)
  await openEvent(page, unscheduled.eventId)
  t.match(await page.textContent('[data-pacing="NO_SCHEDULE"]'), /^No schedule/)
  await page.waitForSelector('.chart[data-buckets]')
  t.equal(await page.getAttribute('.chart', 'data-projection'), null)
  await shoot(page, 'pace-none-desktop')
})

t.test('on a phone the pace card fits and reads', async (t) => {
  const phone = await openPhoneContext(browser, context)
  const small = await phone.newPage()
  await openEvent(small, scheduled.eventId)
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  t.equal(overflow, 0, 'no sideways scrolling')
  const bar = await small.$eval('.pace-bar', (element) => element.getBoundingClientRect().width)
  t.ok(bar > 250, `the pace bar spans the card (${bar} px)`)
  await shoot(small, 'pace-phone')
  await phone.close()
})
