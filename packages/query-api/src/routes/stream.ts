/**
 * GET /events/{eventId}/analytics/stream: the event's dashboard as Server-Sent Events. The
 * current body at once, then a new one within a second of any committed change to the event
 * (live/feeds.ts), a `pipeline` frame with freshness figures after each and as the heartbeat.
 * Same auth and ownership as the REST routes (bearer header, or the session cookie for
 * EventSource); an owner holding STREAM_MAX_PER_OWNER streams on this instance gets a 429.
 * A reconnect (with or without Last-Event-ID) is simply sent the current state.
 */
import fastJson from 'fast-json-stringify'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { ChangeSubscription } from '../live/changes.js'
import { LiveFeeds, dashboardFrame } from '../live/feeds.js'
import type { StreamClient } from '../live/feeds.js'
import { canRead } from '../plugins/auth.js'
import { ProblemError, notFound } from '../plugins/problem-details.js'
import { OwnedFailure, loadEventEntry } from './access.js'
import type { RouteContext } from './context.js'
import { dashboardSpec } from './dashboard.js'
import { DashboardSchema, EventParamsSchema, problemResponses, security } from '../wire/schemas.js'

export interface StreamRouteOptions extends RouteContext {
  /** The instance's subscription to the change announcements (closed by the app). */
  changes: ChangeSubscription
}

/** A client that stops reading is cut off past this much unsent data (it reconnects to the current state). */
const MAX_BUFFERED_BYTES = 1 << 20
/** EventSource's reconnection delay. */
const RETRY_MS = 2000

export async function streamRoutes(app: FastifyInstance, options: StreamRouteOptions): Promise<void> {
  const { live } = options.config
  // The same serializer Fastify compiles for the REST route: both write the same cached text.
  const serialize = fastJson(DashboardSchema)
  const load = async (eventId: string) => (await loadEventEntry(app, options.db, dashboardSpec(options, eventId), serialize)).entry
  const feeds = new LiveFeeds({
    changes: options.changes,
    load,
    heartbeatMs: live.streamHeartbeatMs,
    maxPerOwner: live.streamMaxPerOwner,
    logger: app.log,
  })
  // preClose: open streams would otherwise hold server.close() until they end on their own.
  app.addHook('preClose', async () => feeds.close())

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/events/:eventId/analytics/stream',
    {
      schema: {
        summary:
          'Live dashboard (text/event-stream): `dashboard` frames (the dashboard body, id = its ETag) and `pipeline` frames (asOf and ageSeconds, the age of the data; committedAt and pipelineDelaySeconds, the delay of the pipeline itself)',
        tags: ['analytics'],
        security,
        params: EventParamsSchema,
        response: { ...problemResponses },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params
      const principal = request.principal
      // Subscribed before the first load: a change committed after the load is heard.
      await feeds.ready()
      const { entry } = await loadEventEntry(app, options.db, dashboardSpec(options, eventId), serialize).catch((error: unknown) => {
        if (error instanceof OwnedFailure) throw canRead(principal, error.owner) ? error.cause : notFound(`event ${eventId}`)
        throw error
      })
      if (principal === null || !canRead(principal, entry.owner)) throw notFound(`event ${eventId}`)
      if (!feeds.reserve(principal.sub)) {
        reply.header('retry-after', '30')
        throw new ProblemError(429, `at most ${live.streamMaxPerOwner} live streams per owner at a time; close one first`)
      }
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // Reverse proxies (nginx) must not buffer the stream.
        'x-accel-buffering': 'no',
      })
      const client: StreamClient = {
        owner: principal.sub,
        lastId: undefined,
        write(chunk) {
          if (raw.writableLength > MAX_BUFFERED_BYTES) raw.destroy()
          else raw.write(chunk)
        },
        end: () => raw.end(),
      }
      raw.write(`retry: ${RETRY_MS}\n\n${dashboardFrame(entry)}`)
      let released = false
      request.raw.socket.setNoDelay(true)
      raw.on('close', () => {
        if (released) return
        released = true
        feeds.detach(eventId, client)
        feeds.release(principal.sub)
      })
      feeds.attach(eventId, client, entry)
    },
  )
}
