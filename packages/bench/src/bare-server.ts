/**
 * The API baseline: a bare Fastify process answering GET /bare with a fixed JSON body (the
 * dashboard's own body, read from BENCH_BARE_BODY_FILE) — the same framework and payload
 * size, without auth, cache or database. Run as a child process like the real API.
 *
 * BENCH_BARE_WORK_MICROS (0 by default) adds that much busy work to each request: the API
 * headroom profile (profile-api-headroom.ts) measures what a few µs more per request cost.
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { fastify } from 'fastify'

const bodyFile = process.env['BENCH_BARE_BODY_FILE']
const port = Number(process.env['BENCH_BARE_PORT'] ?? '0')
const workMs = Number(process.env['BENCH_BARE_WORK_MICROS'] ?? '0') / 1000
const body: unknown = bodyFile === undefined ? { ok: true } : JSON.parse(readFileSync(bodyFile, 'utf8'))

/** Spins for `ms`: CPU the way a route's own JavaScript spends it, with no allocation. */
function busy(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until);
}

const app = fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.get(
  '/bare',
  workMs > 0
    ? async () => {
        busy(workMs)
        return body
      }
    : async () => body,
)
await app.listen({ port, host: '127.0.0.1' })

const stop = (): void => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
