/**
 * Entry point: validates the environment, waits for the queue Redis (and checks it), the cache
 * Redis and PostgreSQL (STARTUP_DEADLINE_MS), serves the API; SIGTERM/SIGINT stop accepting, finish in-flight requests and close,
 * within SHUTDOWN_TIMEOUT_MS (runService).
 */
import { closeDb, createDb, pingDatabase } from '@event-analytics/db'
import {
  runService,
  checkQueueRedis,
  createLogger,
  createRedisClient,
  probeRedis,
  UnsafeQueueRedisError,
  waitForDependencies,
} from '@event-analytics/ops'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { loadApiConfig } from './config.js'
import { createIngestBoardQueue, createWebhookBoardQueue } from './plugins/board.js'
import { createApiMetrics } from './metrics.js'

// Validated before anything else runs, the logger's level included.
const config = loadApiConfig()
const logger = createLogger('query-api', config.logLevel)
const db = createDb(config.databaseUrl, {
  applicationName: 'query-api',
  onPoolError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
})
const redis = createRedisClient(config.cacheRedis, { maxRetriesPerRequest: 2 })
// Without a listener ioredis prints connection errors to stderr past the logger; they are reconnects, logged.
redis.on('error', (error) => logger.warn({ err: error }, 'cache Redis connection error'))
// BullMQ needs its own connection without a key prefix (it prefixes its keys itself).
const boardConnection = createRedisClient(config.queueRedis, { maxRetriesPerRequest: null })
boardConnection.on('error', (error) => logger.warn({ err: error }, 'queue Redis connection error'))
const ingestQueue = createIngestBoardQueue(config, boardConnection)
const webhookQueue = createWebhookBoardQueue(config, boardConnection)
let app: FastifyInstance | undefined
let closing: Promise<void> | undefined
const starting = new AbortController()

await runService(
  {
    async start() {
      await waitForDependencies(
        [
          {
            name: 'queue',
            probe: () =>
              probeRedis(config.queueRedis, (client) => checkQueueRedis(client, { allowEviction: config.queueRedisAllowEviction, logger })),
            shouldRetry: (error) => !(error instanceof UnsafeQueueRedisError),
          },
          { name: 'cache', probe: () => probeRedis(config.cacheRedis) },
          { name: 'postgres', probe: () => pingDatabase(db) },
        ],
        { deadlineMs: config.startupDeadlineMs, logger, signal: starting.signal },
      )
      app = await buildApp({
        db,
        redis,
        config,
        boardQueues: [ingestQueue, webhookQueue],
        logger,
        metrics: createApiMetrics(undefined, true),
      })
      await app.listen({ port: config.port, host: config.host })
    },
    close() {
      closing ??= (async () => {
        starting.abort()
        await app?.close()
        await Promise.allSettled([ingestQueue.close(), webhookQueue.close()])
        await Promise.allSettled([redis.quit(), boardConnection.quit(), closeDb(db)])
      })()
      return closing
    },
  },
  { logger, shutdownTimeoutMs: config.shutdownTimeoutMs },
)
