/**
 * Builds the API (not listening): used by main.ts and by the tests through app.inject.
 * Order matters: problem details and metrics first (they see every request), then
 * swagger (it collects routes registered after it), then the routes.
 */
import { ReturningMemo } from './cache/returning-memo.js'
import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Queue } from 'bullmq'
import { type HostLookup, type RedisClient, createLogger, duplicateClient } from '@event-analytics/ops'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '@event-analytics/db'
import type { ApiConfig } from './config.js'
import { createVerifier } from './auth/verifier.js'
import { createSessionTokens } from './auth/session.js'
import { LocalProjectionCache } from './cache/local-cache.js'
import { ChangeSubscription } from './live/changes.js'
import type { TokenVerifier } from './auth/verifier.js'
import { authPlugin } from './plugins/auth.js'
import { BOARD_PATH, READ_ONLY_BOARD_PATH, boardPlugin } from './plugins/board.js'
import { projectionCachePlugin } from './plugins/cache.js'
import { csvPluginFp, rewriteCsvAlias } from './plugins/csv.js'
import { etagPluginFp } from './plugins/etag.js'
import { createApiMetrics } from './metrics.js'
import type { ApiMetrics } from './metrics.js'
import { metricsPluginFp } from './plugins/metrics.js'
import { clientErrorHandler, expectationFailed, frameworkErrorHandler, problemDetailsPlugin } from './plugins/problem-details.js'
import { webPage } from './plugins/web.js'
import { alertRoutes } from './routes/alerts.js'
import { channelRoutes } from './routes/channels.js'
import type { RouteContext } from './routes/context.js'
import { dashboardRoutes } from './routes/dashboard.js'
import { healthRoutes } from './routes/health.js'
import { roiRoutes } from './routes/roi.js'
import { sessionRoutes } from './routes/session.js'
import { streamRoutes } from './routes/stream.js'
import { timelineRoutes } from './routes/timeline.js'
import { timeZoneRegistry } from './time-zones.js'
import { withRedactedRequests } from './request-log.js'
import { userRoutes } from './routes/users.js'
import { webhookRoutes } from './routes/webhooks.js'

export const API_PREFIX = '/api/v1'

export interface AppDeps {
  db: Kysely<Database>
  /** Cache connection (config.cacheRedisUrl); its keyPrefix (if any) isolates tests. */
  redis: RedisClient
  config: ApiConfig
  /** Queues shown on the operators' board (the ingest queue); no board when empty/absent. */
  boardQueues?: readonly Queue[]
  logger?: Logger
  metrics?: ApiMetrics
  verifier?: TokenVerifier
  now?: () => Date
  /** Host resolution of the webhook URL check (tests pin it); the system's resolver by default. */
  webhookLookup?: HostLookup
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps FastifyInstance's default generics.
    // Request URLs are logged with credentials cut out (request-log.ts).
    loggerInstance: withRedactedRequests(deps.logger ?? createLogger('query-api')) as FastifyBaseLogger,
    // Ids in paths are bounded by the schemas; this bounds everything else.
    routerOptions: { maxParamLength: 100 },
    ajv: { customOptions: { allErrors: false } },
    // Errors raised before the routes (router, HTTP parser) answer problem+json too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Unique across restarts and instances: problem bodies name the request by it (instance).
    genReqId: () => randomUUID(),
    rewriteUrl: rewriteCsvAlias,
  })
  app.server.on('checkExpectation', expectationFailed)
  const verifier = deps.verifier ?? createVerifier(config.auth)
  await app.register(problemDetailsPlugin)
  await app.register(metricsPluginFp, { metrics: deps.metrics ?? createApiMetrics() })
  const sessions =
    config.live.sessionSecret === undefined ? undefined : createSessionTokens(config.live.sessionSecret, config.live.sessionTtlSeconds)
  await app.register(authPlugin, {
    verifier,
    ...(sessions === undefined ? {} : { session: (request: FastifyRequest) => sessions.principalOf(request) }),
  })
  await app.register(etagPluginFp)
  await app.register(csvPluginFp, { db: deps.db, defaultTimeZone: config.defaultTimeZone })
  // One subscription to the aggregator's announcements per instance: live streams and the local cache.
  const changes = new ChangeSubscription({ subscriber: duplicateClient(deps.redis), channel: config.live.changesChannel, logger: app.log })
  app.decorate('changes', changes)
  app.addHook('onClose', async () => changes.close())
  await app.register(projectionCachePlugin, {
    redis: deps.redis,
    ttlSeconds: config.cacheTtlSeconds,
    limits: config.cacheLimits,
    ...(config.localCache === null ? {} : { local: { cache: new LocalProjectionCache(config.localCache), changes } }),
  })
  await registerEdge(app, config)
  await registerDocs(app)
  await app.register(healthRoutes, { db: deps.db, redis: deps.redis })
  if (sessions !== undefined) await app.register(sessionRoutes, { sessions, redis: deps.redis })
  await app.register(webPage, { root: config.live.webRoot })
  const context: RouteContext = {
    db: deps.db,
    config,
    now: deps.now ?? (() => new Date()),
    timeZones: timeZoneRegistry(deps.db),
    returning: new ReturningMemo(),
  }
  await app.register(
    async (api) => {
      api.addHook('onRequest', api.authenticate)
      for (const routes of [dashboardRoutes, channelRoutes, roiRoutes, timelineRoutes, userRoutes, alertRoutes]) {
        await api.register(routes, context)
      }
      await api.register(streamRoutes, { ...context, changes })
      await api.register(webhookRoutes, { ...context, ...(deps.webhookLookup === undefined ? {} : { webhookLookup: deps.webhookLookup }) })
    },
    { prefix: API_PREFIX },
  )
  if (config.boardEnabled && deps.boardQueues !== undefined && deps.boardQueues.length > 0) {
    await app.register(boardPlugin, { prefix: BOARD_PATH, queues: deps.boardQueues, verifier, readOnly: false })
    await app.register(boardPlugin, { prefix: READ_ONLY_BOARD_PATH, queues: deps.boardQueues, verifier, readOnly: true })
  }
  return app
}

async function registerEdge(app: FastifyInstance, config: ApiConfig): Promise<void> {
  await app.register(rateLimit, {
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    // Rate limit responses go through the problem-details error handler (status 429).
  })
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      methods: ['GET', 'HEAD', 'OPTIONS'],
      allowedHeaders: ['authorization', 'if-none-match', 'content-type'],
      exposedHeaders: ['etag', 'x-cache', 'retry-after'],
      maxAge: 600,
    })
  }
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Event analytics query API',
        version: '0.1.0',
        description: 'Dashboards of event-marketing analytics. Errors are application/problem+json (RFC 9457).',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      tags: [{ name: 'analytics' }, { name: 'alerts' }, { name: 'webhooks' }, { name: 'operations' }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}
