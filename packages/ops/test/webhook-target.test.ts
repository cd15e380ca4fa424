import t from 'tap'
import { classifyAddress, resolveWebhookTarget, type HostLookup } from '../src/webhook-target.js'

t.test('refused ranges, IPv4', async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.255', 'shared (CGNAT)'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['8.8.8.8', undefined],
    ['172.32.0.1', undefined],
    ['100.128.0.1', undefined],
    ['93.184.216.34', undefined],
  ]
  for (const [address, range] of cases) t.equal(classifyAddress(address), range, address)
})

t.test('refused ranges, IPv6 and IPv4 inside IPv6', async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'reserved'],
    ['::ffff:8.8.8.8', undefined],
    ['2001:4860:4860::8888', undefined],
    ['not-an-address', 'reserved'],
  ]
  for (const [address, range] of cases) t.equal(classifyAddress(address), range, address)
})

const fixed =
  (answers: Record<string, string[]>): HostLookup =>
  async (hostname) => {
    const addresses = answers[hostname]
    if (addresses === undefined) throw new Error(`ENOTFOUND ${hostname}`)
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }

t.test('resolveWebhookTarget checks every address a name has and returns the one to connect to', async (t) => {
  const lookup = fixed({
    'hooks.example.test': ['93.184.216.34'],
    'rebound.example.test': ['127.0.0.1'],
    'mixed.example.test': ['93.184.216.34', '10.0.0.5'],
  })
  const strict = { allowHttp: false, allowPrivateAddresses: false, lookup }
  const ok = await resolveWebhookTarget('https://hooks.example.test/in', strict)
  t.ok(ok.ok)
  if (ok.ok) t.same(ok.address, { address: '93.184.216.34', family: 4 })
  const rebound = await resolveWebhookTarget('https://rebound.example.test/in', strict)
  t.same(rebound, { ok: false, reason: 'rebound.example.test resolves to 127.0.0.1, which is loopback: webhooks may not reach it' })
  const mixed = await resolveWebhookTarget('https://mixed.example.test/in', strict)
  t.match(mixed, { ok: false, reason: /10\.0\.0\.5, which is private/ })
  t.match(await resolveWebhookTarget('https://[::ffff:7f00:1]/in', strict), { ok: false, reason: /the address ::ffff:7f00:1 is loopback/ })
  t.match(await resolveWebhookTarget('https://169.254.169.254/latest', strict), { ok: false, reason: /link-local/ })
  t.match(await resolveWebhookTarget('https://nowhere.example.test/', strict), { ok: false, reason: /does not resolve/ })
  const silent: HostLookup = () => new Promise(() => undefined)
  t.match(await resolveWebhookTarget('https://slow.example.test/', { ...strict, lookup: silent, lookupTimeoutMs: 20 }), {
    ok: false,
    reason: 'the host slow.example.test does not resolve (no answer within 20 ms)',
  })
  const allowed = await resolveWebhookTarget('https://rebound.example.test/in', { ...strict, allowPrivateAddresses: true })
  t.ok(allowed.ok, 'the operator setting lets loopback through')
})

t.test('resolveWebhookTarget refuses schemes and forms before resolving anything', async (t) => {
  const lookup: HostLookup = async () => t.fail('nothing is resolved') as never
  const strict = { allowHttp: false, allowPrivateAddresses: true, lookup }
  t.match(await resolveWebhookTarget('http://hooks.example.test/', strict), { ok: false, reason: 'the URL must be https' })
  t.match(await resolveWebhookTarget('ftp://hooks.example.test/', { ...strict, allowHttp: true }), { ok: false, reason: /https or http/ })
  t.match(await resolveWebhookTarget('https://user:pw@hooks.example.test/', strict), { ok: false, reason: /credentials/ })
  t.match(await resolveWebhookTarget('hooks.example.test', strict), { ok: false, reason: /absolute URL/ })
})
