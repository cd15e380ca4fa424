/** A real HTTP receiver on loopback, the dispatcher's test configuration, and condition waits. */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DispatcherConfig } from '../src/config.js'

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The status this receiver answered. */
  readonly status: number
}

export interface Receiver {
  readonly url: string
  readonly port: number
  readonly received: ReceivedRequest[]
  /** Decides each answer's status (default 204); may hold the response open. */
  respond: (request: { headers: IncomingHttpHeaders; body: string }, response: ServerResponse) => number | undefined
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    port: 0,
    received: [],
    respond: () => 204,
    close: async () => undefined,
  }
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const status = receiver.respond({ headers: request.headers, body }, response)
      if (status === undefined) return
      receiver.received.push({ headers: request.headers, body, status })
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? `refused with ${status}` : '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}

export function testDispatcherConfig(databaseUrl: string, redisUrl: string, overrides: Partial<DispatcherConfig> = {}): DispatcherConfig {
  return {
    databaseUrl,
    queueRedis: { url: redisUrl },
    queuePrefix: `test-webhooks-${randomBytes(4).toString('hex')}`,
    queueRedisAllowEviction: false,
    allowPrivateAddresses: true,
    allowHttp: true,
    pollIntervalMs: 50,
    sweepIntervalMs: 200,
    http: { connectTimeoutMs: 1000, totalTimeoutMs: 3000, maxResponseBytes: 4096 },
    retry: { baseMs: 50, maxDelayMs: 200, maxAttempts: 5 },
    concurrency: 4,
    opsPort: null,
    opsHost: '127.0.0.1',
    logLevel: 'silent',
    ...overrides,
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}
