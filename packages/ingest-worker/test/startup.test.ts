/**
 * Start-up against dependencies that are not there yet, on the real stack behind a TCP proxy:
 * Kafka refusing connections, a registry answering 503, a broker dropping connections while
 * the worker connects. The worker waits (one line per dependency) and becomes ready once the
 * dependency is; only past STARTUP_DEADLINE_MS does start fail, naming the dependency; close()
 * ends the wait. Every step waits on an event (a log line, a proxied connection), not on time.
 */
import t, { type Test } from 'tap'
import { httpAnswer, startTcpProxy, watchedLogger, type TcpProxy } from '@event-analytics/ops/testing'
import { createIngestWorker, type IngestWorker } from '../src/index.js'
import { KAFKA_BROKERS, REGISTRY_URL, createHarness } from './helpers/harness.js'

function hostPort(address: string): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`)
  return { host: url.hostname, port: Number(url.port) }
}

async function setUp(t: Test, overrides: (proxy: TcpProxy) => Record<string, string>, proxy: TcpProxy) {
  const harness = await createHarness(overrides(proxy))
  const log = watchedLogger()
  const worker = createIngestWorker(harness.config, log.logger)
  t.teardown(async () => {
    await worker.close()
    await proxy.close()
    await harness.close()
  })
  return { worker, log }
}

async function readiness(worker: IngestWorker): Promise<{ status: number; body: { checks: Record<string, { ok: boolean }> } }> {
  const response = await fetch(`http://127.0.0.1:${worker.opsPort()}/ready`)
  return { status: response.status, body: (await response.json()) as { checks: Record<string, { ok: boolean }> } }
}

const viaProxy = (proxy: TcpProxy): Record<string, string> => ({ KAFKA_BROKERS: `127.0.0.1:${proxy.port}` })

t.test('started before its Kafka: waits, says so once, and is ready once Kafka answers', async (t) => {
  const proxy = await startTcpProxy(hostPort(KAFKA_BROKERS), { kind: 'down' })
  const { worker, log } = await setUp(t, viaProxy, proxy)
  const starting = worker.start()
  const waiting = await log.next(/^waiting for kafka: /)
  t.match(waiting.msg, /ECONNREFUSED|Connection error/)
  const before = await readiness(worker)
  t.equal(before.status, 503, 'not ready while waiting')
  t.equal(before.body.checks['started']?.ok, false)
  await proxy.setMode({ kind: 'forward' })
  await starting
  await log.next(/^kafka is up$/)
  t.equal((await readiness(worker)).status, 200)
  t.equal(log.lines.filter((line) => line.msg.startsWith('waiting for kafka:')).length, 1, 'one line, not one per attempt')
  t.equal(log.lines.filter((line) => line.level >= 60).length, 0, 'nothing fatal')
})

t.test('started before its registry: waits through 503s and is ready once it answers', async (t) => {
  const registry = new URL(REGISTRY_URL)
  const proxy = await startTcpProxy(hostPort(registry.host), { kind: 'answer', bytes: httpAnswer(503, 'registry starting') })
  const { worker, log } = await setUp(
    t,
    (p) => ({ SCHEMA_REGISTRY_URL: `${registry.protocol}//127.0.0.1:${p.port}${registry.pathname}` }),
    proxy,
  )
  const starting = worker.start()
  t.equal((await log.next(/^waiting for registry: /)).msg, 'waiting for registry: HTTP 503')
  await proxy.setMode({ kind: 'forward' })
  await starting
  t.equal((await readiness(worker)).status, 200)
})

t.test('a broker that drops connections while the worker connects does not end its start', async (t) => {
  const proxy = await startTcpProxy(hostPort(KAFKA_BROKERS), { kind: 'forward' })
  // The first connection (the reachability probe) goes through; the clients' own connections
  // after it are dropped as soon as they speak, three times, then the broker answers again.
  let dropped = 0
  let accepted = 0
  proxy.events.on('connection', (kind: string) => {
    accepted += 1
    if (accepted === 1) void proxy.setMode({ kind: 'drop' })
    if (kind === 'drop' && ++dropped === 3) void proxy.setMode({ kind: 'forward' })
  })
  const { worker, log } = await setUp(t, viaProxy, proxy)
  await worker.start()
  t.ok(dropped >= 3, `connections dropped during start: ${dropped}`)
  t.equal((await readiness(worker)).status, 200)
  t.equal(log.lines.filter((line) => line.level >= 60).length, 0, 'nothing fatal')
})

t.test('past STARTUP_DEADLINE_MS start fails naming the dependency; close() ends a wait at once', async (t) => {
  const proxy = await startTcpProxy(hostPort(KAFKA_BROKERS), { kind: 'down' })
  const { worker } = await setUp(t, (p) => ({ ...viaProxy(p), STARTUP_DEADLINE_MS: '1500' }), proxy)
  await t.rejects(worker.start(), { name: 'DependencyUnavailableError', dependency: 'kafka', message: /^kafka not available within/ })

  const other = await startTcpProxy(hostPort(KAFKA_BROKERS), { kind: 'down' })
  const { worker: closing, log } = await setUp(t, viaProxy, other)
  const starting = closing.start()
  await log.next(/^waiting for kafka: /)
  await closing.close()
  await t.rejects(starting, { name: 'StartAbortedError' })
})
