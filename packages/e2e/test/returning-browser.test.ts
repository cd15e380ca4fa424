/**
 * Returning participants (docs/SPEC.md section 9a) over the whole pipeline in a real Chromium:
 * two events of one owner sharing participants, a third of another owner sharing one too, the
 * later event's registrations produced BEFORE its event-created. The API and the page (desktop
 * and a phone) show the exact new/returning split per event and per channel, and the cost per
 * new participant.
 */
import t from 'tap'
import { chromium } from 'playwright-core'
import { deterministicUuid } from '@event-analytics/simulator'
import type { DomainEvent } from '@event-analytics/contracts'
import { CHROMIUM_ARGS, ensureChromium } from '@event-analytics/dev-stack'
import { signLoginCode } from '@event-analytics/query-api'
import type { Dashboard } from '@event-analytics/query-api/schemas'
import { JWT_SECRET, serveOnLoopback, startPipeline } from './helpers/pipeline.js'
import { PHONE_VIEWPORT } from './helpers/phone.js'

const SCREENSHOT = process.env['DASHBOARD_SCREENSHOT']
const HOUR_MS = 3_600_000
const pipeline = await startPipeline(t)
const base = await serveOnLoopback(pipeline)
const { run } = pipeline
const owner = `${run}-owner`
const [spring, autumn, foreign] = ['spring', 'autumn', 'foreign'].map((name) => `${run}-${name}`) as [string, string, string]
const t0 = Date.now() - 48 * HOUR_MS
let n = 0
const id = (): string => deterministicUuid(`${run}-returning`, (n += 1))

const created = (eventId: string, userId: string, totalInvestment: string): DomainEvent => ({
  kind: 'EventCreated',
  messageId: id(),
  occurredAt: t0,
  eventId,
  userId,
  title: eventId.endsWith('spring') ? 'Spring fair' : 'Autumn fair',
  totalInvestment,
  expectedRevenue: '0.00',
  expectedParticipants: null,
  targetRoi: '0.00',
  salesGrowthRate: null,
})
const joined = (eventId: string, person: string, hours: number, channelName: string | null): DomainEvent => ({
  kind: 'ParticipantRegistered',
  messageId: id(),
  occurredAt: t0 + hours * HOUR_MS,
  eventId,
  participantId: `${run}-${person}`,
  channelName,
})

// spring (first): a, b, c, d. autumn: b, c (returning), e, f, g (new). foreign (another owner): a.
await pipeline.producer.send([
  joined(autumn, 'b', 30, 'KAKAO'),
  joined(autumn, 'c', 31, 'NAVER'),
  joined(autumn, 'e', 32, 'KAKAO'),
  joined(autumn, 'f', 33, 'NAVER'),
  joined(autumn, 'g', 34, null),
  joined(foreign, 'a', 0, 'KAKAO'),
])
await pipeline.producer.send([
  created(spring, owner, '1000.00'),
  created(foreign, `${run}-other-owner`, '50.00'),
  joined(spring, 'a', 1, 'KAKAO'),
  joined(spring, 'b', 2, 'KAKAO'),
  joined(spring, 'c', 3, 'NAVER'),
  joined(spring, 'd', 4, 'NAVER'),
])
await pipeline.producer.send([created(autumn, owner, '900.00')])

const api = async (eventId: string): Promise<Dashboard> => {
  const response = await pipeline.app.inject({
    method: 'GET',
    url: `/api/v1/events/${eventId}/analytics`,
    headers: { authorization: `Bearer ${await pipeline.token(eventId === foreign ? `${run}-other-owner` : owner)}` },
  })
  return (response.statusCode === 200 ? response.json() : null) as Dashboard
}

/** Until every event shows all its participants counted by a fold that ran after they were applied. */
async function settled(): Promise<void> {
  const deadline = Date.now() + 120_000
  for (;;) {
    const bodies = await Promise.all([spring, autumn, foreign].map(api))
    const counted = bodies.map((body) => (body === null ? -1 : body.returning.newParticipants + body.returning.returningParticipants))
    if (counted.join() === '4,5,1') return
    if (Date.now() > deadline) throw new Error(`the split never settled: counted ${counted.join()}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
await settled()

t.test('the API gives the exact split per event and per channel', async (t) => {
  const first = await api(spring)
  t.same([first.returning.newParticipants, first.returning.returningParticipants, first.returning.costPerNewParticipant], [4, 0, '250.00'])
  const later = await api(autumn)
  t.same(
    [later.returning.newParticipants, later.returning.returningParticipants, later.returning.costPerNewParticipant],
    [3, 2, '300.00'],
    'b and c joined spring first; their autumn registrations arrived before autumn had an owner',
  )
  t.same(
    later.channels.map((c) => [c.channelName, c.newParticipants, c.returningParticipants]),
    [
      ['KAKAO', 1, 1],
      ['NAVER', 1, 1],
    ],
  )
  t.same(later.returning.withoutChannel, { newParticipants: 1, returningParticipants: 0 })
  t.ok(later.returning.asOf !== null, 'with the asOf of the fold')
  const other = await api(foreign)
  t.same([other.returning.newParticipants, other.returning.returningParticipants], [1, 0], "another owner's participant counts only there")
})

t.test('the page shows the split, on a desktop and on a phone', async (t) => {
  const browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  for (const viewport of [{ width: 1280, height: 900 }, PHONE_VIEWPORT]) {
    const context = await browser.newContext({ locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport })
    const page = await context.newPage()
    await page.goto(`${base}/auth/login?code=${await signLoginCode(JWT_SECRET, owner)}`)
    await page.waitForURL(`${base}/#/owner/${owner}`)
    // From the overview, which lists both of the owner's events with their split.
    const listed = page.locator(`[data-event-link="${autumn}"]`).locator('xpath=ancestor::tr')
    await listed.waitFor()
    t.same(
      (await listed.locator('td').allTextContents()).slice(2, 5),
      ['5', '3', '2'],
      `${viewport.width}px: the overview lists participants, new, returning`,
    )
    await page.click(`[data-event-link="${autumn}"]`)
    await page.waitForSelector('[data-returning-card] [data-kpi="new-participants"]')
    const value = (name: string) => page.textContent(`[data-returning-card] [data-kpi="${name}"] .kpi-value`)
    t.equal(await value('new-participants'), '3', `${viewport.width}px: new`)
    t.equal(await value('returning-participants'), '2', `${viewport.width}px: returning`)
    t.equal(await value('cost-per-new'), new Intl.NumberFormat('ko-KR', { style: 'currency', currency: 'KRW' }).format(300), 'cost per new')
    const rows = await page.$$eval('[data-returning-channel]', (items) =>
      items.map((item) => [
        item.getAttribute('data-returning-channel'),
        item.querySelector('[data-new]')?.getAttribute('data-new'),
        item.querySelector('[data-returning]')?.getAttribute('data-returning'),
      ]),
    )
    t.same(
      rows,
      [
        ['KAKAO', '1', '1'],
        ['NAVER', '1', '1'],
        ['', '1', '0'],
      ],
      `${viewport.width}px: per channel, and the participants without one`,
    )
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    t.equal(overflow, 0, `${viewport.width}px: no sideways scrolling`)
    if (SCREENSHOT !== undefined) {
      await page.locator('[data-returning-card]').scrollIntoViewIfNeeded()
      await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, `-returning-${viewport.width}.png`), fullPage: true })
    }
    await context.close()
  }
})
