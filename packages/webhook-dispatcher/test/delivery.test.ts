/**
 * The dispatcher against real PostgreSQL, a Redis of the test's own (it is flushed) and a real
 * HTTP receiver on loopback (allowed by the operator settings, as only tests and development do).
 */
import { createHmac } from 'node:crypto'
import { createWebhookEndpoint, openAlert, readDeliveryLog, resolveAlert } from '@event-analytics/db'
import type { Database } from '@event-analytics/db'
import { createTestDatabase, insertAlertTransition } from '@event-analytics/db/testing'
import { newWebhookSecret } from '@event-analytics/ops'
import { startRedisServer } from '@event-analytics/ops/testing'
import { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import t, { type Test } from 'tap'
import type { DispatcherConfig } from '../src/config.js'
import { createDispatcher, type Dispatcher } from '../src/dispatcher.js'
import { startReceiver, testDispatcherConfig, waitFor } from './helpers.js'

const database = await createTestDatabase(t)
const { db } = database
const redis = await startRedisServer()
t.teardown(() => redis.stop())
const receiver = await startReceiver()
t.teardown(() => receiver.close())

async function started(t: Test, overrides: Partial<DispatcherConfig> = {}): Promise<Dispatcher> {
  const dispatcher = createDispatcher(testDispatcherConfig(database.url, redis.url, overrides), { defaultMetrics: false })
  t.teardown(() => dispatcher.close())
  await dispatcher.start()
  return dispatcher
}

async function endpointFor(userId: string, url = receiver.url) {
  const secret = newWebhookSecret()
  const endpoint = await createWebhookEndpoint(db, { userId, url, secret })
  return { ...endpoint, secret }
}

/** Each its own alert: an alert opens once and resolves once (the alerts' unique index). */
let alertIds = 100
async function transition(userId: string, n: number): Promise<number> {
  return insertAlertTransition(db, {
    alertId: ++alertIds,
    userId,
    eventId: `evt-${userId}`,
    rule: 'channel_silent',
    channelName: 'INSTAGRAM',
    state: n % 2 === 0 ? 'open' : 'resolved',
    occurredAt: new Date(),
    details: { silentHours: 3, n },
  })
}

async function settled(db: Kysely<Database>, userId: string, count: number) {
  return waitFor(`${count} deliveries of ${userId} settled`, async () => {
    const log = await readDeliveryLog(db, userId, 100)
    return log.length === count && log.every((row) => row.deliveredAt !== null || row.givenUpAt !== null) ? log : undefined
  })
}

t.test('a transition is delivered once, signed in the Standard Webhooks scheme', async (t) => {
  const dispatcher = await started(t)
  const endpoint = await endpointFor('owner-signed')
  const transitionId = await transition('owner-signed', 0)
  const alertId = alertIds
  const [row] = await settled(db, 'owner-signed', 1)
  t.ok(row?.deliveredAt, 'marked delivered')
  t.equal(row?.attempts, 1)
  t.equal(row?.lastStatus, 204)
  const requests = receiver.received.filter((r) => r.headers['webhook-id'] === `alert-transition-${transitionId}-${endpoint.id}`)
  t.equal(requests.length, 1, 'one request')
  const request = requests[0]!
  const timestamp = String(request.headers['webhook-timestamp'])
  t.match(timestamp, /^\d+$/, 'timestamp in seconds')
  t.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 300, 'timestamp is now')
  const key = Buffer.from(endpoint.secret.slice('whsec_'.length), 'base64')
  const expected = createHmac('sha256', key)
    .update(`alert-transition-${transitionId}-${endpoint.id}.${timestamp}.${request.body}`)
    .digest('base64')
  t.equal(request.headers['webhook-signature'], `v1,${expected}`, 'signature verifies')
  t.same(JSON.parse(request.body), {
    type: 'alert.opened',
    transitionId,
    alertId,
    eventId: 'evt-owner-signed',
    rule: 'channel_silent',
    channel: 'INSTAGRAM',
    details: { silentHours: 3, n: 0 },
    occurredAt: JSON.parse(request.body).occurredAt,
  })
  t.equal(request.headers['content-type'], 'application/json')
  await dispatcher.tick()
  t.equal(
    receiver.received.filter((r) => r.headers['webhook-id'] === request.headers['webhook-id']).length,
    1,
    'a sweep sends nothing again',
  )
})

t.test('a receiver failing twice then succeeding: one success, three attempts in the log', async (t) => {
  await started(t)
  const endpoint = await endpointFor('owner-flaky')
  const transitionId = await transition('owner-flaky', 1)
  const key = `alert-transition-${transitionId}-${endpoint.id}`
  let calls = 0
  receiver.respond = (request) => (request.headers['webhook-id'] === key ? (++calls <= 2 ? 503 : 200) : 204)
  t.teardown(() => {
    receiver.respond = () => 204
  })
  const [row] = await settled(db, 'owner-flaky', 1)
  const requests = receiver.received.filter((r) => r.headers['webhook-id'] === key)
  t.same(
    requests.map((r) => r.status),
    [503, 503, 200],
    'two failures, then exactly one success, all under one key',
  )
  t.equal(row?.attempts, 3)
  t.equal(row?.lastStatus, 200)
  t.equal(row?.lastError, null)
  t.ok(row?.deliveredAt)
  t.equal(row?.nextAttemptAt, null, 'nothing scheduled once delivered')
})

t.test('Redis flushed while deliveries wait: every one is still delivered exactly once', async (t) => {
  await started(t, { retry: { baseMs: 100, maxDelayMs: 300, maxAttempts: 100 } })
  const endpoint = await endpointFor('owner-flushed')
  let accepting = false
  receiver.respond = (request) => (String(request.headers['webhook-id']).endsWith(`-${endpoint.id}`) && !accepting ? 503 : 204)
  t.teardown(() => {
    receiver.respond = () => 204
  })
  const ids: number[] = []
  for (let n = 0; n < 10; n++) ids.push(await transition('owner-flushed', n))
  await waitFor('every delivery failed once', async () => {
    const log = await readDeliveryLog(db, 'owner-flushed', 100)
    return log.length === 10 && log.every((row) => row.attempts >= 1 && row.deliveredAt === null) ? true : undefined
  })
  const admin = new Redis(redis.url)
  // Read in the same transaction as the flush: the running dispatcher may enqueue again right after it.
  const flushed = await admin.multi().flushall().dbsize().exec()
  admin.disconnect()
  t.same(flushed?.[1], [null, 0], 'Redis held nothing right after the flush, the queue included')
  accepting = true
  const log = await settled(db, 'owner-flushed', 10)
  t.ok(
    log.every((row) => row.deliveredAt !== null),
    'all delivered',
  )
  for (const transitionId of ids) {
    const successes = receiver.received.filter(
      (r) => r.headers['webhook-id'] === `alert-transition-${transitionId}-${endpoint.id}` && r.status < 300,
    )
    t.equal(successes.length, 1, `transition ${transitionId} succeeded once`)
  }
})

t.test('a name that resolves to loopback at delivery time is refused when the setting is off', async (t) => {
  await started(t, { allowPrivateAddresses: false, retry: { baseMs: 50, maxDelayMs: 50, maxAttempts: 2 } })
  // Registered while private addresses were allowed; now localhost is loopback and refused.
  const endpoint = await endpointFor('owner-rebound', `http://localhost:${receiver.port}/hooks`)
  const transitionId = await transition('owner-rebound', 0)
  const [row] = await settled(db, 'owner-rebound', 1)
  t.equal(row?.deliveredAt, null)
  t.ok(row?.givenUpAt, 'given up after its attempts')
  t.equal(row?.attempts, 2)
  t.equal(row?.lastStatus, null)
  t.match(row?.lastError, /^refused: localhost resolves to (127\.0\.0\.1|::1), which is loopback/)
  t.equal(
    receiver.received.filter((r) => r.headers['webhook-id'] === `alert-transition-${transitionId}-${endpoint.id}`).length,
    0,
    'nothing sent',
  )
})

t.test("the alerts' own writer: an alert opened then resolved arrives as alert.opened, then alert.resolved", async (t) => {
  await started(t)
  const endpoint = await endpointFor('owner-real')
  const finding = {
    eventId: 'evt-real',
    userId: 'owner-real',
    rule: 'channel_silent',
    channelName: 'TV-1',
    details: { silentHours: 6 },
  } as const
  const opened = await db.transaction().execute((trx) => openAlert(trx, finding, new Date(Date.now() + 1000)))
  const resolved = await db.transaction().execute((trx) => resolveAlert(trx, opened!.alert_id, new Date(Date.now() + 2000)))
  await settled(db, 'owner-real', 2)
  const bodies = receiver.received
    .filter((r) => String(r.headers['webhook-id']).endsWith(`-${endpoint.id}`))
    .map((r) => JSON.parse(r.body) as { type: string; transitionId: number; alertId: number; channel: string })
    .sort((a, b) => a.transitionId - b.transitionId)
  t.match(bodies, [
    { type: 'alert.opened', transitionId: opened!.id, alertId: opened!.alert_id, channel: 'TV-1' },
    { type: 'alert.resolved', transitionId: resolved!.id, alertId: opened!.alert_id, channel: 'TV-1' },
  ])
  t.equal(bodies.length, 2)
})
