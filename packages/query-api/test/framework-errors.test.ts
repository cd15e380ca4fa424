/**
 * Errors produced before or around the routes: Node's HTTP parser (431, malformed requests),
 * Fastify's router (414 for an over-long path parameter, FST_ERR_BAD_URL), content-type and
 * body errors, unknown routes. Reproduced against a real listening server with raw bytes, since
 * `inject` skips the parser. Each must be problem+json and must not echo the request back.
 */
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { Test } from 'tap'
import { echoedInput } from '../src/index.js'
import { bearer, createHarness } from './helpers.js'

const h = await createHarness(t)
await h.app.listen({ port: 0, host: '127.0.0.1' })
const { port } = h.app.server.address() as AddressInfo
const token = await h.token('owner-e')

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Sends `head` (request line + headers, CRLF separated, without the final blank line) and `body` as bytes. */
function raw(head: string, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const split = text.indexOf('\r\n\r\n')
      if (split < 0) return reject(new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`))
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body: text.slice(split + 4) })
    })
    // write, not end: a half-closed socket makes Node drop a response that is still being computed.
    socket.write(`${head}\r\nconnection: close\r\n\r\n${body}`)
  })
}

const get = (target: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
  raw([`GET ${target} HTTP/1.1`, 'host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n'))

function assertProblem(
  t: Test,
  name: string,
  response: RawResponse,
  status: number,
  sent: { target: string; headers?: Record<string, string> },
): void {
  t.equal(response.status, status, `${name}: status ${status}`)
  t.match(response.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`)
  const body = JSON.parse(response.body) as Record<string, unknown>
  t.match(body, { type: String, title: String, status, detail: String, instance: String }, `${name}: RFC 9457 fields`)
  const [path = '', query = ''] = sent.target.split('?')
  t.equal(echoedInput(response.body, { path, query, headers: sent.headers ?? {} }), undefined, `${name}: nothing of the request echoed`)
}

t.test('an over-long path parameter is a 414 problem, without the URL', async (t) => {
  const target = `/api/v1/events/${'a'.repeat(5000)}/analytics`
  assertProblem(t, '414', await get(target, bearer(token)), 414, { target })
})

t.test('a path that does not decode (FST_ERR_BAD_URL) is a 400 problem', async (t) => {
  const target = '/api/v1/events/%C0%AE-evil-segment/analytics'
  const response = await get(target, bearer(token))
  assertProblem(t, 'bad url', response, 400, { target })
  t.notMatch(response.body, /FST_ERR|%C0/, 'no framework code, no raw segment')
})

t.test("a query string over Node's header limit is a 431 problem", async (t) => {
  const target = `/api/v1/events/evt-1/analytics/timeline?tz=${'Q'.repeat(70_000)}`
  assertProblem(t, '431 url', await get(target, bearer(token)), 431, { target })
})

t.test('a header over the limit is a 431 problem', async (t) => {
  const headers = { 'x-padding': 'H'.repeat(20_000) }
  assertProblem(t, '431 header', await get('/health', headers), 431, { target: '/health', headers })
})

t.test('a request the parser cannot read is a 400 problem', async (t) => {
  const response = await raw('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: abc')
  assertProblem(t, 'malformed', response, 400, { target: '/health' })
})

t.test('an expectation the server cannot meet is a 417 problem', async (t) => {
  const headers = { expect: 'teapot-expectation-echo' }
  assertProblem(t, '417', await get('/health', headers), 417, { target: '/health', headers })
})

t.test('unknown routes and methods are 404 problems that do not repeat the path', async (t) => {
  const target = '/api/v1/nowhere-to-be-found-here?secret-query=sensitive-value-123'
  assertProblem(t, 'unknown route', await get(target, bearer(token)), 404, { target })
  const deleted = await raw(['DELETE /api/v1/events/evt-somewhere/analytics HTTP/1.1', 'host: 127.0.0.1'].join('\r\n'))
  assertProblem(t, 'unknown method', deleted, 404, { target: '/api/v1/events/evt-somewhere/analytics' })
})

t.test('body and content-type errors are problems without the header values', async (t) => {
  const huge = 'x'.repeat(1_100_000)
  const oversized = await raw(
    [
      'POST /api/v1/events/evt-1/analytics HTTP/1.1',
      'host: 127.0.0.1',
      'content-type: application/json',
      `content-length: ${huge.length}`,
    ].join('\r\n'),
    huge,
  )
  t.equal(oversized.status, 413, 'oversized body')
  t.match(oversized.headers['content-type'], /^application\/problem\+json/)
  // Only the board's routes take bodies; its scope has bull-board's own error handler.
  const operator = await h.token('ops-e', { operator: true })
  const put = (contentType: string, payload: string) =>
    h.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/pause',
      headers: { ...bearer(operator), 'content-type': contentType },
      payload,
    })
  const strange = await put('application/x-strange-type-echo-me', 'body')
  t.equal(strange.statusCode, 415)
  t.match(strange.headers['content-type'], /^application\/problem\+json/)
  t.notMatch(strange.body, /strange-type-echo-me/)
  const badJson = await put('application/json', '{"echo-me-please": ')
  t.equal(badJson.statusCode, 400)
  t.match(badJson.headers['content-type'], /^application\/problem\+json/)
  t.notMatch(badJson.body, /echo-me-please/)
})

t.test('the detail of a validation error does not carry the rejected value', async (t) => {
  const target = '/api/v1/users/owner-e/analytics?page=not-a-number-echo'
  const response = await get(target, bearer(token))
  assertProblem(t, 'validation', response, 400, { target })
  t.notMatch(response.body, /not-a-number-echo/)
})

t.test('no request of this suite got a 5xx', async (t) => {
  t.same(h.serverErrors, [])
})
