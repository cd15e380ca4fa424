import t from 'tap'
import { COUNTER_EPOCH_MS, createProviderSim, metricsAt, parseKnobUpdate } from '../src/index.js'
import type { MetricsSnapshot } from '../src/index.js'

const COUNTERS = ['impressions', 'views', 'clicks', 'conversions', 'likes', 'comments', 'shares', 'totalCalls', 'completedCalls'] as const

t.test('counters are deterministic, integer, monotonic and follow the rules', async (t) => {
  const start = COUNTER_EPOCH_MS + 400 * 24 * 3_600_000
  let previous: MetricsSnapshot | undefined
  for (let step = 0; step < 50; step += 1) {
    const at = start + step * 7 * 60_000
    const snapshot = metricsAt('event-1', `channel-${step % 3}`, at)
    t.same(snapshot, metricsAt('event-1', `channel-${step % 3}`, at), 'same key and instant, same answer')
    for (const field of COUNTERS) t.ok(Number.isSafeInteger(snapshot[field]) && snapshot[field] >= 0, field)
    t.ok(snapshot.completedCalls <= snapshot.totalCalls)
    t.ok(snapshot.views <= snapshot.impressions)
    t.equal(snapshot.asOf, new Date(at).toISOString())
    if (step % 3 === 0 && previous !== undefined) {
      for (const field of COUNTERS) t.ok(snapshot[field] >= previous[field], `${field} never decreases`)
    }
    if (step % 3 === 0) previous = snapshot
  }
  t.ok(metricsAt('e', 'c', start + 3_600_000).views > metricsAt('e', 'c', start).views, 'an hour later views grew')
  t.same(metricsAt('e', 'c', COUNTER_EPOCH_MS - 1).views, 0, 'zeros before the epoch')
})

t.test('knob updates are validated', async (t) => {
  t.same(parseKnobUpdate({ provider: 'TV', outage: true }), { provider: 'tv', outage: true })
  t.throws(() => parseKnobUpdate({ errorRate: 2 }), /errorRate/)
  t.throws(() => parseKnobUpdate({ latencyMs: -1 }), /latencyMs/)
  t.throws(() => parseKnobUpdate({ provider: 'radio' }), /provider/)
  t.throws(() => parseKnobUpdate([]), /object/)
})

t.test('HTTP contract and runtime knobs', async (t) => {
  let clock = COUNTER_EPOCH_MS + 10 * 24 * 3_600_000
  const sim = await createProviderSim({ port: 0, now: () => clock })
  t.teardown(() => sim.close())
  const get = (provider: string, query = '?eventId=e1&channelName=c1') => fetch(`${sim.url}/${provider}/v1/metrics${query}`)

  const ok = await get('tv')
  t.equal(ok.status, 200)
  t.same(await ok.json(), metricsAt('e1', 'c1', clock))
  clock += 60_000
  t.same(await (await get('sns')).json(), metricsAt('e1', 'c1', clock), 'follows the clock')
  t.equal((await get('radio')).status, 404)
  t.equal((await get('tv', '?eventId=e1')).status, 400)

  const knobs = await fetch(`${sim.url}/admin/knobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'tv', outage: true }),
  })
  t.equal(knobs.status, 200)
  t.equal((await get('tv')).status, 503, 'outage on tv')
  t.equal((await get('voice')).status, 200, 'voice unaffected')
  const bad = await fetch(`${sim.url}/admin/knobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ errorRate: 'x' }),
  })
  t.equal(bad.status, 400)

  sim.setKnobs({ provider: 'tv', outage: false, errorRate: 1 })
  t.equal((await get('tv')).status, 500, 'error rate 1 always fails')
  sim.setKnobs({ errorRate: 0, override: { completedCalls: 10, totalCalls: 1 } })
  const forced = (await (await get('voice')).json()) as MetricsSnapshot
  t.equal(forced.completedCalls, 10, 'override forces fields')
  sim.setKnobs({ override: null, latencyMs: 300, provider: 'sns' })
  const slow = await get('sns').then(
    () => 'answered',
    (error: unknown) => (error instanceof Error ? error.name : 'error'),
  )
  t.equal(slow, 'answered', 'latency still answers') // closes when the response is written after the delay
})
