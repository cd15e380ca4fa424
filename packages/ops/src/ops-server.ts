/**
 * The operators' side port of a worker: liveness, readiness with the failing dependency
 * named, and Prometheus metrics. Plain node:http: three fixed routes need no framework.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'

/** Resolves when the dependency answers; rejects (or times out) when it does not. */
export type ReadinessCheck = () => Promise<void>

export interface OpsServerOptions {
  readonly port: number
  readonly host?: string
  readonly logger: Logger
  readonly checks: Readonly<Record<string, ReadinessCheck>>
  readonly registry: Registry
  /** A check slower than this counts as failed, so /ready never hangs. */
  readonly checkTimeoutMs?: number
}

export interface OpsServer {
  readonly port: number
  close(): Promise<void>
}

export interface ReadinessReport {
  readonly ready: boolean
  readonly checks: Record<string, { ok: boolean; error?: string }>
}

export async function runReadinessChecks(checks: Readonly<Record<string, ReadinessCheck>>, timeoutMs = 2000): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs, `${name} did not answer within ${timeoutMs} ms`)
        return [name, { ok: true }] as const
      } catch (error) {
        return [name, { ok: false, error: error instanceof Error ? error.message : String(error) }] as const
      }
    }),
  )
  return { ready: entries.every(([, result]) => result.ok), checks: Object.fromEntries(entries) }
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = createServer((request, response) => {
    route(options, request, response).catch((error: unknown) => {
      options.logger.error({ err: error }, 'ops endpoint failed')
      send(response, 500, 'application/json', JSON.stringify({ error: 'internal error' }))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  options.logger.info({ port }, 'ops endpoints listening')
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

async function route(options: OpsServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0]
  if (request.method !== 'GET') return send(response, 405, 'application/json', JSON.stringify({ error: 'GET only' }))
  switch (path) {
    case '/health':
      return send(response, 200, 'application/json', JSON.stringify({ status: 'ok' }))
    case '/ready': {
      const report = await runReadinessChecks(options.checks, options.checkTimeoutMs)
      return send(response, report.ready ? 200 : 503, 'application/json', JSON.stringify(report))
    }
    case '/metrics':
      return send(response, 200, options.registry.contentType, await options.registry.metrics())
    default:
      return send(response, 404, 'application/json', JSON.stringify({ error: `no route ${path}` }))
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' })
  response.end(body)
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
