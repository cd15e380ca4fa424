import t from 'tap'
import { createRandom } from '@event-analytics/simulator'
import { fuzzRequests, hostileAuthorizations } from '../src/fuzz.js'

const context = {
  eventIds: ['evt-1'], userIds: ['owner-1'], channelNames: ['INSTAGRAM'],
  tokens: { valid: ['valid.token.x'], hostile: hostileAuthorizations('expired.x.y', 'forged.x.y') },
}

t.test('bounded, seeded and varied', async (t) => {
  const first = fuzzRequests(createRandom(7), 500, context)
  t.equal(first.length, 500, 'exactly the requested count')
  t.same(fuzzRequests(createRandom(7), 500, context), first, 'the same seed gives the same requests')
  t.notSame(fuzzRequests(createRandom(8), 500, context), first)
  const methods = new Set(first.map((r) => r.method))
  for (const method of ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']) t.ok(methods.has(method), `uses ${method}`)
  t.ok(first.some((r) => r.path.includes('/api/v1/events/evt-1/')), 'real ids too, so authorised paths are reached')
  t.ok(first.some((r) => r.headers['authorization'] === undefined), 'some without a token')
  t.ok(first.some((r) => r.path.length > 500), 'some very long paths')
  t.ok(first.every((r) => r.path.startsWith('/')), 'paths only (the runner always targets 127.0.0.1)')
})

t.test('hostile tokens include an unsigned alg=none operator token', async (t) => {
  const none = hostileAuthorizations('e', 'f').find((value) => value.startsWith('Bearer eyJhbGciOiJub25l'))
  t.ok(none)
  t.ok(none!.endsWith('.'), 'empty signature')
})
