/** The webhook outbox queries: pairing transitions with endpoints once, leasing one attempt at a time. */
import t from 'tap'
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  dispatchAlertTransitions,
  leaseDelivery,
  listPendingDeliveries,
  recordDelivered,
} from '../src/index.js'
import { createTestDatabase, insertAlertTransition } from '../src/testing/index.js'

const { db } = await createTestDatabase(t)

let alertIds = 0
const transitionAt = (userId: string, occurredAt: Date) =>
  insertAlertTransition(db, {
    alertId: ++alertIds,
    userId,
    eventId: 'evt-1',
    rule: 'channel_silent',
    channelName: 'TV-1',
    state: 'open',
    occurredAt,
    details: {},
  })

t.test('each transition is paired once with each live endpoint of its owner, from the endpoint on', async (t) => {
  const before = await transitionAt('owner-a', new Date(Date.now() - 60_000))
  const first = await createWebhookEndpoint(db, { userId: 'owner-a', url: 'https://a.example.test/1', secret: 'whsec_AAAA' })
  const second = await createWebhookEndpoint(db, { userId: 'owner-a', url: 'https://a.example.test/2', secret: 'whsec_AAAA' })
  const elsewhere = await createWebhookEndpoint(db, { userId: 'owner-b', url: 'https://b.example.test/', secret: 'whsec_AAAA' })
  // Stamped in JavaScript (milliseconds) within the endpoint's own millisecond.
  const sameMillisecond = await transitionAt('owner-a', new Date(second.createdAt.getTime()))
  const created = await dispatchAlertTransitions(db)
  t.equal(created.length, 2, 'the later transition, to both endpoints of its owner')
  t.same(await dispatchAlertTransitions(db), [], 'a second pass pairs nothing again')
  const pairs = await db.selectFrom('webhook_deliveries').select(['transition_id', 'endpoint_id']).orderBy('endpoint_id').execute()
  t.same(pairs, [
    { transition_id: sameMillisecond, endpoint_id: first.id },
    { transition_id: sameMillisecond, endpoint_id: second.id },
  ])
  t.notOk(pairs.some((pair) => pair.transition_id === before || pair.endpoint_id === elsewhere.id))
  await transitionAt('owner-a', new Date(Date.now() + 500))
  t.same(await dispatchAlertTransitions(db, { since: new Date(Date.now() + 60_000) }), [], 'a bounded pass skips what occurred before it')
  t.equal((await dispatchAlertTransitions(db, { since: new Date(Date.now() - 60_000) })).length, 2, 'and pairs what is inside it')
  t.ok(await deleteWebhookEndpoint(db, 'owner-a', second.id))
  await transitionAt('owner-a', new Date(Date.now() + 1000))
  t.equal((await dispatchAlertTransitions(db)).length, 1, 'a deleted endpoint gets nothing new')
})

t.test('one attempt at a time; a delivered row is never leased again', async (t) => {
  const pending = await listPendingDeliveries(db)
  const id = pending[0]!.id
  const lease = await leaseDelivery(db, id, 60_000)
  t.equal(lease?.attempts, 1)
  t.equal(lease?.transition?.rule, 'channel_silent')
  t.equal(await leaseDelivery(db, id, 60_000), undefined, 'a second copy of the job finds the lease held')
  await recordDelivered(db, id, { status: 200, error: null })
  t.equal(await leaseDelivery(db, id, 60_000), undefined, 'delivered')
  t.notOk(
    (await listPendingDeliveries(db)).some((row) => row.id === id),
    'no longer pending',
  )
})
