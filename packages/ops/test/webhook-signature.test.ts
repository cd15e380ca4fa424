import { createHmac } from 'node:crypto'
import t from 'tap'
import { newWebhookSecret, webhookHeaders, webhookSignature } from '../src/webhook-signature.js'

t.test('signature of a known vector, computed here from the scheme', async (t) => {
  const keyBytes = Buffer.from('a fixed signing key of 24b', 'utf8')
  const secret = `whsec_${keyBytes.toString('base64')}`
  const id = 'alert-transition-7-3'
  const timestamp = 1_765_000_000
  const body = '{"type":"alert.opened","transitionId":7}'
  const expected = createHmac('sha256', keyBytes).update(`alert-transition-7-3.1765000000.${body}`).digest('base64')
  t.equal(webhookSignature(secret, id, timestamp, body), `v1,${expected}`)
  t.same(webhookHeaders(secret, id, timestamp, body), {
    'webhook-id': id,
    'webhook-timestamp': '1765000000',
    'webhook-signature': `v1,${expected}`,
  })
  t.not(webhookSignature(secret, id, timestamp, `${body} `), `v1,${expected}`, 'any change of the body changes it')
})

t.test('a new secret is whsec_ and 24 random bytes', async (t) => {
  const secret = newWebhookSecret()
  t.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/)
  t.equal(Buffer.from(secret.slice(6), 'base64').length, 24)
  t.not(newWebhookSecret(), secret)
  t.throws(() => webhookSignature('no-prefix', 'id', 1, ''), /whsec_/)
})
