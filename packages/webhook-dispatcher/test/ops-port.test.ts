/** The dispatcher's ops port: /ready names its dependencies, /metrics counts the attempts. */
import { createWebhookEndpoint, readDeliveryLog } from '@event-analytics/db'
import { createTestDatabase, insertAlertTransition } from '@event-analytics/db/testing'
import { newWebhookSecret } from '@event-analytics/ops'
import { startRedisServer } from '@event-analytics/ops/testing'
import t from 'tap'
import { createDispatcher } from '../src/dispatcher.js'
import { startReceiver, testDispatcherConfig, waitFor } from './helpers.js'

const database = await createTestDatabase(t)
const redis = await startRedisServer()
t.teardown(() => redis.stop())
const receiver = await startReceiver()
t.teardown(() => receiver.close())

t.test('/ready answers and /metrics counts a delivered attempt', async (t) => {
  const { db } = database
  const dispatcher = createDispatcher(testDispatcherConfig(database.url, redis.url, { opsPort: 0 }), { defaultMetrics: false })
  t.teardown(() => dispatcher.close())
  await dispatcher.start()
  await createWebhookEndpoint(db, { userId: 'owner-ops', url: receiver.url, secret: newWebhookSecret() })
  await insertAlertTransition(db, {
    alertId: 1,
    userId: 'owner-ops',
    eventId: 'evt-ops',
    rule: 'roi_projected_low',
    channelName: null,
    state: 'resolved',
    occurredAt: new Date(Date.now() + 1000),
    details: {},
  })
  const [row] = await waitFor('the delivery', async () => {
    const log = await readDeliveryLog(db, 'owner-ops', 10)
    return log[0]?.deliveredAt === null || log.length === 0 ? undefined : log
  })
  t.equal(row?.attempts, 1)
  t.equal(receiver.received.length, 1)
  t.match(JSON.parse(receiver.received[0]!.body), { type: 'alert.resolved', channel: null })
  const ops = `http://127.0.0.1:${dispatcher.opsPort}`
  const ready = await fetch(`${ops}/ready`)
  t.equal(ready.status, 200, '/ready: postgres and queue answer')
  t.match(
    await (await fetch(`${ops}/metrics`)).text(),
    /webhook_delivery_attempts_total\{outcome="delivered"\} 1/,
    '/metrics counts the attempt',
  )
})
