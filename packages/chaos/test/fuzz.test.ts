import t from 'tap'
import { createRandom } from '@event-analytics/simulator'
import { contractViolation, fuzzRequests, hostileAuthorizations } from '../src/fuzz.js'

const context = {
  eventIds: ['evt-1'],
  userIds: ['owner-1'],
  channelNames: ['INSTAGRAM'],
  tokens: { valid: ['valid.token.x'], hostile: hostileAuthorizations('expired.x.y', 'forged.x.y') },
}

t.test('bounded, seeded and varied', async (t) => {
  const first = fuzzRequests(createRandom(7), 500, context)
  t.equal(first.length, 500, 'exactly the requested count')
  t.same(fuzzRequests(createRandom(7), 500, context), first, 'the same seed gives the same requests')
  t.notSame(fuzzRequests(createRandom(8), 500, context), first)
  const methods = new Set(first.map((r) => r.method))
  for (const method of ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']) t.ok(methods.has(method), `uses ${method}`)
  t.ok(
    first.some((r) => r.path.includes('/api/v1/events/evt-1/')),
    'real ids too, so authorised paths are reached',
  )
  t.ok(
    first.some((r) => r.headers['authorization'] === undefined),
    'some without a token',
  )
  t.ok(
    first.some((r) => r.path.length > 500),
    'some very long paths',
  )
  t.ok(
    first.every((r) => r.path.startsWith('/')),
    'paths only (the runner always targets 127.0.0.1)',
  )
})

t.test('hostile tokens include an unsigned alg=none operator token', async (t) => {
  const none = hostileAuthorizations('e', 'f').find((value) => value.startsWith('Bearer eyJhbGciOiJub25l'))
  t.ok(none)
  t.ok(none!.endsWith('.'), 'empty signature')
})

t.test('every error answer is checked for its content type and for echoes of the request', async (t) => {
  const item = {
    method: 'GET',
    path: `/api/v1/events/${'a'.repeat(300)}/analytics?tz=Mars%2FOlympus-x`,
    headers: { 'if-none-match': 'x'.repeat(2000) },
  }
  const problem = 'application/problem+json; charset=utf-8'
  const fixed = JSON.stringify({
    type: 'about:blank',
    title: 'URI Too Long',
    status: 414,
    detail: 'a path parameter is too long',
    instance: 'urn:request:1',
  })
  t.equal(contractViolation(item, { status: 414, contentType: problem, body: fixed }), undefined, 'a fixed detail passes')
  t.equal(contractViolation(item, { status: 200, contentType: 'application/json', body: item.path }), undefined, '2xx are not checked')
  t.equal(contractViolation(item, { status: 304, contentType: '', body: '' }), undefined, 'a bodiless 304 passes')
  t.match(contractViolation(item, { status: 414, contentType: 'application/json', body: fixed }), /answered as "application\/json"/)
  t.match(contractViolation(item, { status: 431, contentType: '', body: '' }), /no content type/)
  const echoPath = JSON.stringify({ detail: `'${item.path.split('?')[0]}' is exceeding the max param length` })
  t.match(contractViolation(item, { status: 414, contentType: problem, body: echoPath }), /echoes/, 'the path')
  t.match(
    contractViolation(item, { status: 400, contentType: problem, body: '{"detail":"tz=Mars/Olympus-x"}' }),
    /echoes/,
    'the decoded query',
  )
  t.match(contractViolation(item, { status: 412, contentType: problem, body: `{"detail":"${'x'.repeat(2000)}"}` }), /echoes/, 'a header')
})
