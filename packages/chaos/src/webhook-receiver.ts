/**
 * The owners' webhook receiver in the chaos run: a plain HTTP server on loopback (the dispatcher
 * runs with the operator settings that allow it). It checks every signature, records each
 * idempotency key it accepted, and refuses a seeded share of first attempts with 503 so retries
 * and their backoff run under the faults too.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { webhookSignature } from '@event-analytics/ops'
import type { Random } from '@event-analytics/simulator'

export interface WebhookReceiver {
  readonly url: string
  /** Accepted deliveries per idempotency key (more than one: redelivered, which the contract allows). */
  readonly accepted: ReadonlyMap<string, number>
  /** Requests whose signature did not verify, or that lacked the headers. */
  readonly badSignatures: readonly string[]
  /** First attempts refused on purpose. */
  readonly refused: number
  close(): Promise<void>
}

export async function startWebhookReceiver(secret: string, random: Random, refuseShare = 0.25): Promise<WebhookReceiver> {
  const accepted = new Map<string, number>()
  const seen = new Set<string>()
  const badSignatures: string[] = []
  let refused = 0
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const id = header(request, 'webhook-id')
      const timestamp = Number(header(request, 'webhook-timestamp'))
      const signature = header(request, 'webhook-signature')
      if (id === '' || !Number.isInteger(timestamp) || signature !== webhookSignature(secret, id, timestamp, body)) {
        badSignatures.push(id === '' ? '(no webhook-id)' : id)
        response.writeHead(400).end()
        return
      }
      if (!seen.has(id) && random.next() < refuseShare) {
        seen.add(id)
        refused += 1
        response.writeHead(503).end()
        return
      }
      seen.add(id)
      accepted.set(id, (accepted.get(id) ?? 0) + 1)
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    accepted,
    badSignatures,
    get refused() {
      return refused
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name]
  return typeof value === 'string' ? value : ''
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
