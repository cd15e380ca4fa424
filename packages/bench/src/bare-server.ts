/**
 * The API baseline: a bare Fastify process answering GET /bare with a fixed JSON body (the
 * dashboard's own body, read from BENCH_BARE_BODY_FILE) — the same framework and payload
 * size, without auth, cache or database. Run as a child process like the real API.
 */
import { readFileSync } from 'node:fs'
import { fastify } from 'fastify'

const bodyFile = process.env['BENCH_BARE_BODY_FILE']
const port = Number(process.env['BENCH_BARE_PORT'] ?? '0')
const body: unknown = bodyFile === undefined ? { ok: true } : JSON.parse(readFileSync(bodyFile, 'utf8'))

const app = fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.get('/bare', async () => body)
await app.listen({ port, host: '127.0.0.1' })

const stop = (): void => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
