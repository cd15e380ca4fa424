import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { postWebhook } from '../src/send.js'

const limits = { connectTimeoutMs: 1000, totalTimeoutMs: 500, maxResponseBytes: 64 }

async function serve(t: Test, handler: Parameters<typeof createServer>[1]): Promise<URL> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return new URL(`http://hooks.example.test:${(server.address() as AddressInfo).port}/in`)
}

const pinned = { address: '127.0.0.1', family: 4 as const }

t.test('connects to the approved address whatever the host name says, and sends the signed body', async (t) => {
  let seen: { host: string | undefined; id: string | undefined; body: string } | undefined
  const url = await serve(t, (request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      seen = { host: request.headers.host, id: request.headers['webhook-id'] as string | undefined, body }
      response.writeHead(200).end('ok')
    })
  })
  const outcome = await postWebhook(url, pinned, { 'webhook-id': 'k-1' }, '{"a":1}', limits)
  t.same(outcome, { status: 200, error: null })
  t.same(seen, { host: url.host, id: 'k-1', body: '{"a":1}' }, 'the Host header keeps the URL name (TLS would check it too)')
})

t.test('a redirect is a failure, not followed', async (t) => {
  const url = await serve(t, (_request, response) => response.writeHead(302, { location: 'http://169.254.169.254/' }).end())
  t.same(await postWebhook(url, pinned, {}, '{}', limits), {
    status: 302,
    error: 'HTTP 302: redirects are not followed (to http://169.254.169.254/)',
  })
})

t.test('a large answer is read only up to the cap', async (t) => {
  const url = await serve(t, (_request, response) => {
    response.writeHead(500)
    response.write('x'.repeat(1024))
    // Never ends: only the cap lets the attempt finish before the total timeout.
  })
  const outcome = await postWebhook(url, pinned, {}, '{}', { ...limits, totalTimeoutMs: 5000 })
  t.equal(outcome.status, 500)
  t.match(outcome.error, /^HTTP 500: x+$/)
})

t.test('a receiver that never answers runs into the total timeout', async (t) => {
  const url = await serve(t, () => undefined)
  t.same(await postWebhook(url, pinned, {}, '{}', limits), { status: null, error: 'no complete answer within 500 ms' })
})

t.test('nothing listening: the connection error is the outcome', async (t) => {
  const url = await serve(t, () => undefined)
  const closed = new URL(url)
  closed.port = '1'
  const outcome = await postWebhook(closed, pinned, {}, '{}', limits)
  t.equal(outcome.status, null)
  t.match(outcome.error, /ECONNREFUSED/)
})

t.test('https: the certificate is checked against the URL name, on the pinned address', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=hooks.example.test',
      '-addext',
      'subjectAltName=DNS:hooks.example.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  )
  let reached = 0
  const server = createHttpsServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (_request, response) => {
      reached++
      response.writeHead(200).end()
    },
  )
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  // hooks.example.test is in no DNS: the handshake happens only because the socket goes to the pinned address.
  const url = new URL(`https://hooks.example.test:${(server.address() as AddressInfo).port}/in`)
  const outcome = await postWebhook(url, pinned, {}, '{}', limits)
  t.equal(outcome.status, null)
  t.match(outcome.error, /self-signed certificate/, 'an untrusted certificate is refused, not ignored')
  t.equal(reached, 0, 'nothing was sent')
})
