/**
 * The simulated providers over HTTP: one process serves the three channel types under
 * `/{tv|sns|voice}/v1/metrics` (base URL per type = `http://host:port/{type}`), each with its
 * own knobs, so one provider can be slow or down while the others are healthy.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import type { FastifyReply } from 'fastify'
import { createLogger, type Logger } from '@event-analytics/ops'
import { metricsAt } from './counters.js'
import { metricsFromParticipants } from './proportional.js'
import { applyKnobUpdate, isProvider, knobTable, parseKnobUpdate } from './knobs.js'
import type { KnobTable, KnobUpdate, Knobs, ProviderName } from './knobs.js'

export interface ProviderSimOptions {
  /** 0: any free port (tests). Default 4010. */
  readonly port?: number
  readonly host?: string
  /** Initial knobs of every provider. */
  readonly knobs?: Partial<Knobs>
  /** Clock of the counters (tests move it). Default Date.now. */
  readonly now?: () => number
  /** Source of the error-rate draws. Default Math.random. */
  readonly random?: () => number
  readonly logger?: Logger
  /**
   * 'time' (default): counters grow with time from 2025 (deterministic per instant; the tests' model).
   * 'participants': counters in proportion to the request's `participants` hint (proportional.ts),
   * time-based when a request has none. `npm start` runs this one.
   */
  readonly mode?: 'time' | 'participants'
}

export interface ProviderSim {
  readonly port: number
  /** `http://host:port`; a provider's base URL is `${url}/${provider}`. */
  readonly url: string
  baseUrl(provider: ProviderName): string
  knobs(): KnobTable
  setKnobs(update: KnobUpdate): KnobTable
  close(): Promise<void>
}

export const DEFAULT_KNOBS: Knobs = { latencyMs: 0, errorRate: 0, outage: false, override: null }

interface MetricsQuery {
  eventId?: string
  channelName?: string
  /** The aggregator's participant count of the channel (a hint real providers ignore). */
  participants?: string
}

export async function createProviderSim(options: ProviderSimOptions = {}): Promise<ProviderSim> {
  const logger = options.logger ?? createLogger('provider-sim')
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  let table = knobTable({ ...DEFAULT_KNOBS, ...options.knobs })
  const closing = new AbortController()
  // Per-request logs would be one line per channel per refresh: the server logs warnings only.
  const app = Fastify({ loggerInstance: logger.child({}, { level: 'warn' }), forceCloseConnections: true })

  app.get<{ Params: { provider: string }; Querystring: MetricsQuery }>('/:provider/v1/metrics', async (request, reply) => {
    const provider = request.params.provider.toLowerCase()
    if (!isProvider(provider)) return problem(reply, 404, `unknown provider ${request.params.provider}`)
    const { eventId, channelName } = request.query
    if (!eventId || !channelName) return problem(reply, 400, 'eventId and channelName are required')
    const knobs = table[provider]
    if (knobs.latencyMs > 0) await holdFor(knobs.latencyMs, closing.signal, reply)
    if (knobs.outage) return problem(reply, 503, `${provider} provider is down (outage knob)`)
    if (knobs.errorRate > 0 && random() < knobs.errorRate) return problem(reply, 500, `${provider} provider failed (errorRate knob)`)
    const participants = Number(request.query.participants)
    const proportional = options.mode === 'participants' && Number.isSafeInteger(participants) && participants >= 0
    const metrics = proportional
      ? metricsFromParticipants(provider, eventId, channelName, participants, now())
      : metricsAt(eventId, channelName, now())
    return { ...metrics, ...knobs.override }
  })
  app.get('/admin/knobs', async () => table)
  app.post('/admin/knobs', async (request, reply) => {
    try {
      table = applyKnobUpdate(table, parseKnobUpdate(request.body))
    } catch (error) {
      return problem(reply, 400, error instanceof Error ? error.message : String(error))
    }
    logger.info({ knobs: table }, 'knobs changed')
    return table
  })
  app.get('/health', async () => ({ status: 'ok' }))

  await app.listen({ port: options.port ?? 4010, host: options.host ?? '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 4010)
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`
  return {
    port,
    url,
    baseUrl: (provider) => `${url}/${provider}`,
    knobs: () => table,
    setKnobs(update) {
      table = applyKnobUpdate(table, update)
      return table
    },
    async close() {
      closing.abort()
      await app.close()
    },
  }
}

function problem(reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).type('application/problem+json').send({ type: 'about:blank', status, detail })
}

/** The latency knob; cut short when the server closes or the client went away (no dangling timers). */
async function holdFor(ms: number, closing: AbortSignal, reply: FastifyReply): Promise<void> {
  const clientGone = new AbortController()
  const abort = (): void => clientGone.abort()
  reply.raw.once('close', abort)
  try {
    await sleep(ms, undefined, { signal: AbortSignal.any([closing, clientGone.signal]) })
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AbortError')) throw error
  } finally {
    reply.raw.removeListener('close', abort)
  }
}
