import t from 'tap'
import { decodeOwnedEntry, encodeOwnedEntry } from '../src/cache/owned-entry.js'
import type { OwnedEntry } from '../src/cache/owned-entry.js'
import { VerifiedTokenCache } from '../src/auth/token-cache.js'
import { etagOf } from '../src/plugins/etag.js'

const body = '{"event":{"eventId":"e-1","title":"a \\"quoted\\", \\\\ title"},"channels":[]}'

t.test('owned entries round trip and stay plain JSON', async (t) => {
  const owners = [null, 'owner-1', 'quote"s', 'back\\slash\\', 'x,"body":', '한글', '']
  for (const owner of owners) {
    const entry: OwnedEntry = { owner, etag: etagOf(body), body }
    const text = encodeOwnedEntry(entry)
    t.same(decodeOwnedEntry(text), entry, `owner ${JSON.stringify(owner)}`)
    // What an instance without this layout reads: {owner, body} with an extra etag field.
    t.same(JSON.parse(text), { owner, etag: entry.etag, body: JSON.parse(body) })
  }
})

t.test('anything but the exact layout is not decoded', async (t) => {
  const legacy = JSON.stringify({ owner: 'owner-1', body: { a: 1 } })
  t.equal(decodeOwnedEntry(legacy), undefined, 'entry written before the layout')
  t.equal(decodeOwnedEntry(JSON.stringify({ body: 1, owner: 'o', etag: '"x"' })), undefined, 'other key order')
  t.equal(decodeOwnedEntry('{"owner":"unterminated'), undefined)
  t.equal(decodeOwnedEntry('{"owner":null,"etag":"\\"x\\"","body":}'), undefined, 'empty body')
  t.equal(decodeOwnedEntry('{"owner":7,"etag":"\\"x\\"","body":{}}'), undefined, 'owner neither string nor null')
  t.equal(decodeOwnedEntry(''), undefined)
})

t.test('verified tokens: LRU bounded, honouring exp and the age cap', async (t) => {
  let now = 1_000_000
  const cache = new VerifiedTokenCache({ maxEntries: 2, maxAgeMs: 60_000, now: () => now })
  const alice = { sub: 'alice', operator: false, viewer: false }
  const bob = { sub: 'bob', operator: true, viewer: true }
  const carol = { sub: 'carol', operator: false, viewer: false }
  cache.set('a', alice, 1_030) // exp 1030 s = 1_030_000 ms
  cache.set('b', bob, 5_000)
  t.same(cache.get('a'), alice)
  cache.set('c', carol, 5_000) // evicts b, the least recently used
  t.equal(cache.size, 2)
  t.equal(cache.get('b'), undefined, 'evicted')
  t.same(cache.get('c'), carol)
  now = 1_029_999
  t.same(cache.get('a'), alice, 'a millisecond before exp')
  now = 1_030_000
  t.equal(cache.get('a'), undefined, 'at exp, as jose (exp <= now) refuses it')
  t.equal(cache.size, 1, 'an expired entry is dropped')
  now = 1_000_000 + 60_000
  t.equal(cache.get('c'), undefined, 'the age cap ends an entry before a far exp')
  cache.set('d', carol, 1_000)
  t.equal(cache.get('d'), undefined, 'an already expired token is not kept')
})
