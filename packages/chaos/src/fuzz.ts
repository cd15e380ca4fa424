/**
 * API fuzz pass: random and hostile paths, parameters, headers, methods and tokens against
 * the running query API on loopback. The generator is pure and seeded (reproducible); the
 * runner counts outcomes and keeps every 5xx, every client timeout and every error answer
 * that breaks the error contract (not problem+json, or echoing the request) for the report.
 */
import { request } from 'node:http'
import { echoedInput } from '@event-analytics/query-api'
import type { Random } from '@event-analytics/simulator'

export interface FuzzRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body?: string
}

export interface FuzzTokens {
  /** Valid tokens (owner of a real event, an operator), and hostile ones. */
  readonly valid: readonly string[]
  readonly hostile: readonly string[]
}

export interface FuzzContext {
  readonly eventIds: readonly string[]
  readonly userIds: readonly string[]
  readonly channelNames: readonly string[]
  readonly tokens: FuzzTokens
}

const enc = encodeURIComponent
const HOSTILE_IDS = [
  '',
  'x'.repeat(37),
  'x'.repeat(5000),
  "'%20OR%201=1--",
  '%22;%20DROP%20TABLE%20event_stats;--',
  "'OR'1'='1",
  '../../etc/passwd',
  '%00',
  '%ff',
  '%',
  '%2e%2e%2f',
  '%F0%9F%92%A9',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}',
  '__proto__',
  'constructor',
  '..',
  '.',
  '-',
  '9'.repeat(40),
  enc('이벤트'),
  enc('a b'),
  'a%0d%0aSet-Cookie:x=1',
  '%C0%AE%C0%AE',
  enc('\u0000'),
  'null',
  'undefined',
  '0',
  '-1',
  'NaN',
]
const HOSTILE_VALUES = [
  '',
  '-1',
  '0',
  '1.5',
  '1e400',
  'NaN',
  'Infinity',
  '99999999999999999999',
  'abc',
  '%00',
  'x'.repeat(3000),
  "'--",
  '[]',
  '{}',
  'true',
  '2026-02-30',
  '9999-12-31',
  '0000-01-01',
  '2026-03-08T02:30:00',
  '2026-03-08T02:30:00+99:00',
  '1970-01-01T00:00:00Z',
  enc('2026-01-01T00:00:00+09:00'),
  'Mars/Olympus',
  enc('America/New_York'),
  'UTC',
  enc('Etc/GMT+14'),
  enc('../../etc/localtime'),
  'hour',
  'day',
  'week',
  'month',
  'year',
  'HOUR',
  'TV',
  'SNS',
  'VOICE',
  'RADIO',
  'asc',
  'desc',
  'ctr',
  'participants',
  'costPerParticipant',
  'channelName',
  '__proto__',
]
const PARAMS = [
  'granularity',
  'from',
  'to',
  'tz',
  'page',
  'limit',
  'sort',
  'order',
  'channelType',
  'token',
  '__proto__[x]',
  'constructor.prototype.x',
  'limit[]',
  'a'.repeat(300),
]
const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']

function pathFor(random: Random, context: FuzzContext): string {
  const id = (real: readonly string[]): string => (real.length > 0 && random.chance(0.4) ? random.pick(real) : random.pick(HOSTILE_IDS))
  const event = id(context.eventIds)
  const shapes = [
    () => `/api/v1/events/${event}/analytics`,
    () => `/api/v1/events/${event}/analytics/channels`,
    () => `/api/v1/events/${event}/analytics/channels/${id(context.channelNames)}`,
    () => `/api/v1/events/${event}/analytics/roi`,
    () => `/api/v1/events/${event}/analytics/timeline`,
    () => `/api/v1/users/${id(context.userIds)}/analytics`,
    () =>
      random.pick([
        '/health',
        '/ready',
        '/metrics',
        '/docs',
        '/docs/json',
        '/admin/queues',
        '/admin/queues/api/queues',
        '/',
        '//',
        '/api',
        '/api/v1',
      ]),
    () => `/api/v1/${random.pick(HOSTILE_IDS)}/${random.pick(HOSTILE_IDS)}`,
    () => `/api/v1/events/${event}/analytics/${random.pick(HOSTILE_IDS)}`,
    () => `/${'a/'.repeat(random.int(1, 400))}`,
    () => `/api/v1/events/../../../admin/queues`,
  ]
  return random.pick(shapes)()
}

function queryFor(random: Random): string {
  const count = random.int(0, 5)
  const parts: string[] = []
  for (let index = 0; index < count; index += 1) parts.push(`${random.pick(PARAMS)}=${random.pick(HOSTILE_VALUES)}`)
  if (random.chance(0.05)) parts.push(random.pick(['&&&', '=', '==x', '%', 'a=%zz']))
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

function headersFor(random: Random, context: FuzzContext): Record<string, string> {
  const headers: Record<string, string> = {}
  const auth = random.int(0, 9)
  if (auth <= 4 && context.tokens.valid.length > 0) headers['authorization'] = `Bearer ${random.pick(context.tokens.valid)}`
  else if (auth <= 8) headers['authorization'] = random.pick(context.tokens.hostile)
  if (random.chance(0.2)) headers['if-none-match'] = random.pick(['*', 'W/"x"', '"', '""', 'x'.repeat(2000), '"a", W/"b", *'])
  if (random.chance(0.1)) headers['accept'] = random.pick(['application/xml', '*/*;q=abc', 'text/html', ''])
  if (random.chance(0.1)) headers['accept-encoding'] = random.pick(['gzip', 'br', 'zstd;q=2', 'x'.repeat(500)])
  if (random.chance(0.1)) headers['cookie'] = random.pick(['ea_board_token=junk', `ea_board_token=${'a'.repeat(4000)}`, '=;=;'])
  if (random.chance(0.1)) headers['origin'] = random.pick(['http://evil.example', 'null', ''])
  if (random.chance(0.1)) headers['x-forwarded-for'] = random.pick(['1.2.3.4', '::1, 127.0.0.1', 'not-an-ip'])
  return headers
}

export function fuzzRequests(random: Random, count: number, context: FuzzContext): FuzzRequest[] {
  const out: FuzzRequest[] = []
  for (let index = 0; index < count; index += 1) {
    const method = random.pick(METHODS)
    const headers = headersFor(random, context)
    const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH'
    const body = withBody ? random.pick(['{}', '{"a":', 'null', '[]', 'x'.repeat(20_000), '{"__proto__":{"admin":true}}']) : undefined
    if (body !== undefined)
      headers['content-type'] = random.pick([
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ])
    out.push({ method, path: `${pathFor(random, context)}${queryFor(random)}`, headers, ...(body === undefined ? {} : { body }) })
  }
  return out
}

/** Hostile Authorization header values, from malformed to well-formed-but-forged. */
export function hostileAuthorizations(expired: string, wrongSecret: string): string[] {
  const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'owner', role: 'operator', exp: 4_102_444_800 })}.`
  return [
    'Bearer',
    'Bearer ',
    'Bearer x',
    'Basic dXNlcjpwYXNz',
    `Bearer ${'a'.repeat(8000)}`,
    `Bearer ${expired}`,
    `Bearer ${wrongSecret}`,
    `Bearer ${none}`,
    'Bearer a.b.c',
    'Bearer ....',
    `Bearer ${b64({ alg: 'HS256' })}.${b64({ sub: 1 })}.sig`,
    'bearer lowercase.scheme.x',
    `Bearer ${b64({ alg: 'RS256', kid: '../../x' })}.${b64({ sub: 'x' })}.${'A'.repeat(342)}`,
  ]
}

export interface FuzzResult {
  readonly sent: number
  readonly byClass: Record<string, number>
  readonly serverErrors: string[]
  readonly timeouts: string[]
  /** Non-2xx answers that are not problem+json (4xx/5xx) or repeat part of the request. */
  readonly contractViolations: string[]
  /** Requests Node's client refused to send (invalid characters); not counted as sent. */
  readonly unsendable: number
}

export interface FuzzAnswer {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/**
 * Why `answer` breaks the error contract, or undefined: every 4xx/5xx is
 * application/problem+json, and no non-2xx body repeats the request's path, query or headers.
 */
export function contractViolation(item: FuzzRequest, answer: FuzzAnswer): string | undefined {
  if (answer.status >= 200 && answer.status < 300) return undefined
  if (answer.status >= 400 && !answer.contentType.startsWith('application/problem+json')) {
    return `${answer.status} answered as "${answer.contentType || 'no content type'}"`
  }
  const [path = '', query = ''] = item.path.split(/\?(.*)/s)
  const echoed = echoedInput(answer.body, { path, query, headers: item.headers })
  return echoed === undefined ? undefined : `${answer.status} echoes "${echoed.slice(0, 60)}"`
}

type Outcome = FuzzAnswer | 'timeout' | 'reset' | 'unsendable'

/** Sends every request to 127.0.0.1:`port` only, `concurrency` at a time, with a client timeout. */
export async function runFuzz(port: number, requests: readonly FuzzRequest[], concurrency = 6, timeoutMs = 5000): Promise<FuzzResult> {
  const result = {
    sent: 0,
    byClass: {} as Record<string, number>,
    serverErrors: [] as string[],
    timeouts: [] as string[],
    contractViolations: [] as string[],
    unsendable: 0,
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const item = requests[next]!
      next += 1
      const outcome = await send(port, item, timeoutMs)
      if (outcome === 'unsendable') {
        result.unsendable += 1
        continue
      }
      result.sent += 1
      const key = outcome === 'timeout' || outcome === 'reset' ? outcome : `${Math.floor(outcome.status / 100)}xx`
      result.byClass[key] = (result.byClass[key] ?? 0) + 1
      if (outcome === 'timeout') result.timeouts.push(`${item.method} ${item.path.slice(0, 200)}`)
      if (typeof outcome !== 'object') continue
      if (outcome.status >= 500)
        result.serverErrors.push(
          `${outcome.status} ${item.method} ${item.path.slice(0, 200)} ${JSON.stringify(item.headers).slice(0, 200)}`,
        )
      const violation = contractViolation(item, outcome)
      if (violation !== undefined) result.contractViolations.push(`${violation}: ${item.method} ${item.path.slice(0, 200)}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return result
}

/** Bodies are kept up to this size: an echo of a long URL shows in its first bytes. */
const MAX_BODY_BYTES = 256 * 1024

function send(port: number, item: FuzzRequest, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false
    const done = (value: Outcome): void => {
      if (!settled) {
        settled = true
        resolve(value)
      }
    }
    try {
      const req = request(
        { host: '127.0.0.1', port, method: item.method, path: item.path, headers: item.headers, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size <= MAX_BODY_BYTES) chunks.push(chunk)
          })
          const answer = (): FuzzAnswer => ({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          })
          res.on('end', () => done(answer()))
          res.on('error', () => done(answer()))
        },
      )
      req.on('timeout', () => {
        done('timeout')
        req.destroy()
      })
      req.on('error', () => done('reset'))
      req.end(item.body)
    } catch {
      done('unsendable')
    }
  })
}
