/**
 * The owner's webhooks on the page in a real Chromium: register a URL (the secret shown once),
 * an alert transition reaches a real receiver signed with that secret, and the delivery log on
 * the page shows it delivered. The API and the dispatcher run with the operator settings that
 * allow a loopback http receiver (tests and development only). No Kafka: the transition is
 * written as the alerts write it.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { chromium } from 'playwright-core'
import { Redis } from 'ioredis'
import { CHROMIUM_ARGS, ensureChromium } from '@event-analytics/dev-stack'
import { createTestDatabase, insertAlertTransition } from '@event-analytics/db/testing'
import { buildApp, loadApiConfig, signLoginCode } from '@event-analytics/query-api'
import { createDispatcher, loadDispatcherConfig } from '@event-analytics/webhook-dispatcher'
import { PHONE_VIEWPORT } from './helpers/phone.js'

const JWT_SECRET = 'e2e-webhooks-0123456789-0123456789-abcdef'
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'
const SCREENSHOTS = process.env['WEBHOOK_SCREENSHOTS']
const run = `wh${randomBytes(4).toString('hex')}`
const owner = `${run}-owner`

const testDb = await createTestDatabase(t)
await testDb.db
  .insertInto('event_stats')
  .values({ event_id: `${run}-evt`, user_id: owner, title: 'Spring giveaway', status: 'ACTIVE', event_created_at: new Date() })
  .execute()

const received: Array<{ headers: IncomingHttpHeaders; body: string }> = []
let firstReceived = (): void => undefined
const delivered = new Promise<void>((resolve) => (firstReceived = resolve))
const receiver = createServer((request, response) => {
  let body = ''
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
  request.on('end', () => {
    received.push({ headers: request.headers, body })
    response.writeHead(204).end()
    firstReceived()
  })
})
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())))
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`

const relaxed = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', WEBHOOK_ALLOW_HTTP: 'true' }
const config = loadApiConfig({
  JWT_SECRET,
  NODE_ENV: 'test',
  DATABASE_URL: testDb.url,
  CACHE_CHANGES_CHANNEL: `${run}-changes`,
  ...relaxed,
})
const cache = new Redis(REDIS_URL, { keyPrefix: `${run}:`, maxRetriesPerRequest: 1 })
const app = await buildApp({ db: testDb.db, redis: cache, config })
await app.listen({ port: 0, host: '127.0.0.1' })
t.teardown(async () => {
  await app.close()
  cache.disconnect()
})
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

const dispatcher = createDispatcher(
  {
    ...loadDispatcherConfig({
      DATABASE_URL: testDb.url,
      REDIS_URL,
      BULLMQ_PREFIX: `${run}-bull`,
      WEBHOOK_POLL_INTERVAL_MS: '100',
      ...relaxed,
    }),
    opsPort: null,
    logLevel: 'silent',
  },
  { defaultMetrics: false },
)
t.teardown(async () => {
  await dispatcher.queue.obliterate({ force: true }).catch(() => undefined)
  await dispatcher.close()
})
await dispatcher.start()

const browser = await chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS })
t.teardown(() => browser.close())
const context = await browser.newContext({ locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport: { width: 1280, height: 900 } })
const page = await context.newPage()

t.test('the owner registers a webhook on the page and sees its secret once', async (t) => {
  await page.goto(`${base}/auth/login?code=${await signLoginCode(JWT_SECRET, owner)}`)
  await page.waitForURL(`${base}/#/owner/${owner}`)
  await page.waitForSelector('#webhooks h2')
  await page.fill('#webhook-url', 'https://127.0.0.1.nip.invalid/x')
  await page.click('.webhook-form button[type="submit"]')
  await page.waitForFunction(() => document.querySelector('#webhooks .error')?.textContent?.includes('webhook URL refused') === true)
  t.match(await page.textContent('#webhooks .error'), /does not resolve/, "the API's refusal is shown")
  await page.fill('#webhook-url', receiverUrl)
  await page.click('.webhook-form button[type="submit"]')
  const secret = await page.locator('[data-secret]').textContent({ timeout: 10_000 })
  t.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/)
  t.equal(await page.textContent('#webhooks .error'), '', 'no error left')
  // The list is read again after the secret is shown.
  await page.waitForSelector('.webhook-list li')
  t.equal(await page.locator('.webhook-list li').count(), 1)
  t.match(await page.textContent('.webhook-list li'), receiverUrl)
  await page.reload()
  await page.waitForSelector('.webhook-list li')
  t.equal(await page.locator('[data-secret]').count(), 0, 'the secret is not shown again')

  const transitionId = await insertAlertTransition(testDb.db, {
    alertId: 1,
    userId: owner,
    eventId: `${run}-evt`,
    rule: 'channel_silent',
    channelName: 'INSTAGRAM',
    state: 'open',
    occurredAt: new Date(Date.now() + 1000),
    details: { silentHours: 3 },
  })
  await delivered
  t.equal(received.length, 1, 'the receiver got the transition')
  const [delivery] = received
  const key = Buffer.from(secret!.slice('whsec_'.length), 'base64')
  const signed = `${String(delivery!.headers['webhook-id'])}.${String(delivery!.headers['webhook-timestamp'])}.${delivery!.body}`
  t.equal(
    delivery!.headers['webhook-signature'],
    `v1,${createHmac('sha256', key).update(signed).digest('base64')}`,
    'signed with the shown secret',
  )
  t.match(JSON.parse(delivery!.body), { type: 'alert.opened', transitionId, rule: 'channel_silent' })

  await page.waitForFunction(
    async () => {
      ;(document.querySelector('#webhooks .card-head button') as HTMLButtonElement | null)?.click()
      await new Promise((resolve) => setTimeout(resolve, 200))
      return document.querySelector('#webhooks table')?.textContent?.includes('Delivered (204)') === true
    },
    undefined,
    { timeout: 15_000 },
  )
  t.match(await page.textContent('#webhooks table tbody tr'), new RegExp(`^${transitionId}`), 'the log names the transition')
  if (SCREENSHOTS !== undefined) {
    await page.screenshot({ path: `${SCREENSHOTS}/webhooks-desktop.png`, fullPage: true })
    await page.setViewportSize(PHONE_VIEWPORT)
    await page.screenshot({ path: `${SCREENSHOTS}/webhooks-phone.png`, fullPage: true })
  }
})
