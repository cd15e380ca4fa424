import t from 'tap'
import { pino } from 'pino'
import { Counter, Registry } from 'prom-client'
import { startOpsServer } from '../src/index.js'

t.test('health, readiness naming the failing dependency, and metrics', async (t) => {
  const registry = new Registry()
  const consumed = new Counter({ name: 'test_consumed_total', help: 'consumed', registers: [registry] })
  consumed.inc(3)
  let redisUp = true
  const server = await startOpsServer({
    port: 0,
    logger: pino({ level: 'silent' }),
    registry,
    checkTimeoutMs: 200,
    checks: {
      postgres: async () => {},
      redis: async () => {
        if (!redisUp) throw new Error('connection refused')
      },
      kafka: () => new Promise<void>(() => {}),
    },
  })
  t.teardown(() => server.close())
  const base = `http://127.0.0.1:${server.port}`

  t.equal((await fetch(`${base}/health`)).status, 200)

  const notReady = await fetch(`${base}/ready`)
  t.equal(notReady.status, 503, 'a hanging check makes /ready answer 503, not hang')
  const report = (await notReady.json()) as { checks: Record<string, { ok: boolean; error?: string }> }
  t.equal(report.checks['postgres']?.ok, true)
  t.match(report.checks['kafka']?.error, /did not answer within 200 ms/)

  redisUp = false
  const redisDown = (await (await fetch(`${base}/ready`)).json()) as typeof report
  t.equal(redisDown.checks['redis']?.error, 'connection refused')

  const metrics = await (await fetch(`${base}/metrics`)).text()
  t.match(metrics, /test_consumed_total 3/)
  t.equal((await fetch(`${base}/nope`)).status, 404)
})
