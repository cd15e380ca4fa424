/**
 * One HTTP POST of a signed webhook to the address the SSRF check approved: the socket connects
 * to that address whatever the name resolves to by now (the lookup is pinned), TLS still checks
 * the certificate against the URL's host name. Bounded: a connect timeout, a total timeout, a
 * response read up to a cap; redirects are not followed (a 3xx is a failed attempt).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import type { ResolvedAddress } from '@event-analytics/ops'
import type { AttemptOutcome } from '@event-analytics/db'
import type { HttpLimits } from './config.js'

/** Answers every lookup of the connection with the approved address, in both lookup shapes. */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) callback(null, [{ address: target.address, family: target.family }])
    else callback(null, target.address, target.family)
  }
}

function readCapped(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const finish = (): void => resolve(Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'))
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size >= maxBytes) {
        response.destroy()
        finish()
      }
    })
    response.once('end', finish)
    response.once('close', finish)
    response.once('error', finish)
  })
}

/** What the log keeps of a failed answer: its status and the start of its body. */
function failureText(status: number, body: string, location: string | undefined): string {
  if (status >= 300 && status < 400)
    return `HTTP ${status}: redirects are not followed${location === undefined ? '' : ` (to ${location.slice(0, 200)})`}`
  const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, 200)
  return excerpt === '' ? `HTTP ${status}` : `HTTP ${status}: ${excerpt}`
}

export async function postWebhook(
  url: URL,
  address: ResolvedAddress,
  headers: Readonly<Record<string, string>>,
  body: string,
  limits: HttpLimits,
): Promise<AttemptOutcome> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  const controller = new AbortController()
  let reason = ''
  const abort = (why: string) => () => {
    reason = why
    controller.abort()
  }
  const total = setTimeout(abort(`no complete answer within ${limits.totalTimeoutMs} ms`), limits.totalTimeoutMs)
  const connect = setTimeout(abort(`no connection within ${limits.connectTimeoutMs} ms`), limits.connectTimeoutMs)
  try {
    return await new Promise<AttemptOutcome>((resolve) => {
      const outgoing = request(url, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'event-analytics-webhooks',
        },
        lookup: pinnedLookup(address),
        agent: false,
        signal: controller.signal,
      })
      outgoing.once('socket', (socket) => {
        socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connect))
      })
      outgoing.once('error', (error) => resolve({ status: null, error: reason === '' ? error.message : reason }))
      outgoing.once('response', (response) => {
        const status = response.statusCode ?? 0
        void readCapped(response, limits.maxResponseBytes).then((text) => {
          const ok = status >= 200 && status < 300
          resolve({ status, error: ok ? null : failureText(status, text, response.headers.location) })
        })
      })
      outgoing.end(body)
    })
  } finally {
    clearTimeout(total)
    clearTimeout(connect)
  }
}
