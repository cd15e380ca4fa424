/**
 * The owner's webhook routes: registration (SSRF-checked, secret shown once), listing, deletion,
 * the delivery log; each refusal problem+json naming its cause.
 */
import t from 'tap'
import type { HostLookup } from '@event-analytics/ops'
import { insertAlertTransition } from '@event-analytics/db/testing'
import { dispatchAlertTransitions, leaseDelivery, recordAttemptFailed } from '@event-analytics/db'
import { bearer, createHarness } from './helpers.js'

const lookup: HostLookup = async (hostname) => {
  const answers: Record<string, string> = { 'hooks.example.test': '93.184.216.34', 'internal.example.test': '10.1.2.3' }
  const address = answers[hostname]
  if (address === undefined) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`)
  return [{ address, family: 4 }]
}

const strict = await createHarness(t, {}, { webhookLookup: lookup })
const owner = await strict.token('owner-w')
const other = await strict.token('owner-x')
const operator = await strict.token('ops-w', { operator: true })

const register = (h: typeof strict, token: string, url: unknown, userId = 'owner-w') =>
  h.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/webhooks`, headers: bearer(token), payload: { url } })

t.test('an https endpoint is registered; its secret is answered once and never listed', async (t) => {
  const created = await register(strict, owner, 'https://hooks.example.test/alerts')
  t.equal(created.statusCode, 201)
  const body = created.json<{ id: number; url: string; secret: string; createdAt: string }>()
  t.match(body, { url: 'https://hooks.example.test/alerts', secret: /^whsec_[A-Za-z0-9+/]{32}$/ })
  const listed = await strict.app.inject({ method: 'GET', url: '/api/v1/users/owner-w/webhooks', headers: bearer(owner) })
  t.equal(listed.statusCode, 200)
  t.same(listed.json(), { webhooks: [{ id: body.id, url: body.url, createdAt: body.createdAt }] })
  t.notMatch(listed.body, /whsec_/, 'no secret in the list')
  const byOperator = await strict.app.inject({ method: 'GET', url: '/api/v1/users/owner-w/webhooks', headers: bearer(operator) })
  t.equal(byOperator.statusCode, 200, 'operators read')
  const byOther = await strict.app.inject({ method: 'GET', url: '/api/v1/users/owner-w/webhooks', headers: bearer(other) })
  t.equal(byOther.statusCode, 404, "another owner's webhooks are a 404")
  t.equal((await register(strict, operator, 'https://hooks.example.test/x')).statusCode, 403, 'operators do not register for owners')
  t.equal((await register(strict, other, 'https://hooks.example.test/x')).statusCode, 404)
})

t.test('loopback, private and non-https URLs are refused with a problem naming them', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['https://127.0.0.1/hook', /the address 127\.0\.0\.1 is loopback/],
    ['https://[::1]/hook', /the address ::1 is loopback/],
    ['https://[::ffff:127.0.0.1]/hook', /::ffff:7f00:1 is loopback/],
    ['https://10.0.0.8/hook', /10\.0\.0\.8 is private/],
    ['https://192.168.1.20/hook', /192\.168\.1\.20 is private/],
    ['https://100.64.1.1/hook', /shared \(CGNAT\)/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://[fd00::1]/hook', /fd00::1 is private/],
    ['https://internal.example.test/hook', /internal\.example\.test resolves to 10\.1\.2\.3, which is private/],
    ['https://nowhere.example.test/hook', /does not resolve/],
    ['http://hooks.example.test/hook', /must be https/],
    ['https://user:pw@hooks.example.test/', /credentials/],
    ['not a url', /absolute URL/],
  ]
  for (const [url, detail] of cases) {
    const response = await register(strict, owner, url)
    t.equal(response.statusCode, 400, url)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.match(response.json(), { type: 'urn:event-analytics:problem:webhook-url-refused', status: 400, detail }, url)
  }
  t.equal((await register(strict, owner, 42)).statusCode, 400, 'a URL is a string')
  t.same(strict.serverErrors, [])
})

t.test('the operator settings let loopback http through (tests and development only)', async (t) => {
  const relaxed = await createHarness(t, { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', WEBHOOK_ALLOW_HTTP: 'true' })
  const token = await relaxed.token('owner-w')
  // Registration checks the address; it does not call the URL.
  const url = 'http://127.0.0.1:8080/hooks'
  const created = await register(relaxed, token, url)
  t.equal(created.statusCode, 201)
  t.equal(created.json<{ url: string }>().url, url)
})

t.test('deleting an endpoint stops its deliveries and keeps its log', async (t) => {
  const { db } = strict.testDb
  const created = (await register(strict, owner, 'https://hooks.example.test/log')).json<{ id: number }>()
  const transitionId = await insertAlertTransition(db, {
    alertId: 9,
    userId: 'owner-w',
    eventId: 'evt-w',
    rule: 'pace_low',
    channelName: null,
    state: 'open',
    occurredAt: new Date(Date.now() + 1000),
    details: {},
  })
  const dispatched = await dispatchAlertTransitions(db)
  t.ok(dispatched.length >= 1)
  const mine = await db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', created.id).executeTakeFirstOrThrow()
  t.ok(await leaseDelivery(db, mine.id, 60_000), 'one attempt taken')
  await recordAttemptFailed(db, mine.id, { status: 500, error: 'HTTP 500' }, new Date(Date.now() + 60_000))
  const log = await strict.app.inject({ method: 'GET', url: '/api/v1/users/owner-w/webhooks/deliveries', headers: bearer(owner) })
  t.equal(log.statusCode, 200)
  const entry = log.json<{ deliveries: Array<Record<string, unknown>> }>().deliveries.find((row) => row['id'] === mine.id)
  t.match(entry, {
    transitionId,
    endpointId: created.id,
    url: 'https://hooks.example.test/log',
    idempotencyKey: `alert-transition-${transitionId}-${created.id}`,
    attempts: 1,
    lastStatus: 500,
    lastError: 'HTTP 500',
    nextAttemptAt: /^\d{4}-/,
    deliveredAt: null,
    givenUpAt: null,
  })
  const removed = await strict.app.inject({ method: 'DELETE', url: `/api/v1/users/owner-w/webhooks/${created.id}`, headers: bearer(owner) })
  t.equal(removed.statusCode, 204)
  const again = await strict.app.inject({ method: 'DELETE', url: `/api/v1/users/owner-w/webhooks/${created.id}`, headers: bearer(owner) })
  t.equal(again.statusCode, 404, 'deleted once')
  const byOther = await strict.app.inject({ method: 'DELETE', url: `/api/v1/users/owner-x/webhooks/${created.id}`, headers: bearer(other) })
  t.equal(byOther.statusCode, 404, "another owner's id is not theirs")
  const after = (
    await strict.app.inject({ method: 'GET', url: '/api/v1/users/owner-w/webhooks/deliveries', headers: bearer(owner) })
  ).json<{ deliveries: Array<Record<string, unknown>> }>()
  t.match(
    after.deliveries.find((row) => row['id'] === mine.id),
    { givenUpAt: /^\d{4}-/, nextAttemptAt: null, lastError: 'the endpoint was deleted' },
  )
  const listed = (await strict.app.inject({ method: 'GET', url: '/api/v1/users/owner-w/webhooks', headers: bearer(owner) })).json<{
    webhooks: Array<{ id: number }>
  }>()
  t.notOk(
    listed.webhooks.some((hook) => hook.id === created.id),
    'no longer listed',
  )
  t.equal(
    (await strict.app.inject({ method: 'GET', url: '/api/v1/users/owner-w/webhooks/deliveries?limit=0', headers: bearer(owner) }))
      .statusCode,
    400,
  )
})

t.test('an owner has a bounded number of endpoints', async (t) => {
  const few = await createHarness(t, { WEBHOOK_MAX_ENDPOINTS: '1' }, { webhookLookup: lookup })
  const token = await few.token('owner-l')
  t.equal((await register(few, token, 'https://hooks.example.test/1', 'owner-l')).statusCode, 201)
  const second = await register(few, token, 'https://hooks.example.test/2', 'owner-l')
  t.equal(second.statusCode, 409)
  t.match(second.json(), { type: 'urn:event-analytics:problem:webhook-limit-reached', detail: /1 webhook endpoints/ })
})
