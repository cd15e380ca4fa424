/** auditWebhookDeliveries counts what the outbox owes and how much of it went out. */
import t from 'tap'
import { auditWebhookDeliveries, createWebhookEndpoint, dispatchAlertTransitions, leaseDelivery, recordDelivered } from '../src/index.js'
import { createTestDatabase, insertAlertTransition } from '../src/testing/index.js'

t.test('owed pairs, the delivered ones by key, the pending and none given up', async (t) => {
  const { db } = await createTestDatabase(t)
  const endpoint = await createWebhookEndpoint(db, { userId: 'owner-a', url: 'https://a.example.test/', secret: 'whsec_AAAA' })
  const transition = (alertId: number) =>
    insertAlertTransition(db, {
      alertId,
      userId: 'owner-a',
      eventId: 'evt-1',
      rule: 'channel_cost_high',
      channelName: 'TV-1',
      state: 'open',
      occurredAt: new Date(endpoint.createdAt.getTime() + 1000),
      details: {},
    })
  const first = await transition(1)
  await transition(2)
  await transition(3)
  t.same(await auditWebhookDeliveries(db), { owed: 3, deliveredKeys: [], pending: 3, givenUp: 0 }, 'owed before any row exists')

  const [delivery] = await dispatchAlertTransitions(db)
  await leaseDelivery(db, delivery!.id, 60_000)
  await recordDelivered(db, delivery!.id, { status: 200, error: null })
  t.same(await auditWebhookDeliveries(db), {
    owed: 3,
    deliveredKeys: [`alert-transition-${first}-${endpoint.id}`],
    pending: 2,
    givenUp: 0,
  })
})
