/**
 * Entry point: validates the environment, checks the queue Redis, connects PostgreSQL and
 * Redis, serves the API; SIGTERM/SIGINT stop accepting, finish in-flight requests and close,
 * within SHUTDOWN_TIMEOUT_MS (runService).
 */
import { Queue } from 'bullmq'
import { INGEST_QUEUE_NAME } from '@event-analytics/contracts'
import { closeDb, createDb } from '@event-analytics/db'
import { runService, checkQueueRedis, clusterQueuePrefix, createLogger, createRedisClient } from '@event-analytics/ops'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { loadApiConfig } from './config.js'
import { createApiMetrics } from './plugins/metrics.js'

const logger = createLogger('query-api')
const config = loadApiConfig()
const db = createDb(config.databaseUrl, {
  applicationName: 'query-api',
  onPoolError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
})
const redis = createRedisClient(config.cacheRedis, { maxRetriesPerRequest: 2 })
// BullMQ needs its own connection without a key prefix (it prefixes its keys itself).
const boardConnection = createRedisClient(config.queueRedis, { maxRetriesPerRequest: null })
// The workers' prefix: hash-tagged on a cluster the same way (clusterQueuePrefix).
const ingestQueue = new Queue(INGEST_QUEUE_NAME, {
  connection: boardConnection,
  prefix: clusterQueuePrefix(config.queuePrefix, config.queueRedis),
})
let app: FastifyInstance | undefined
let closing: Promise<void> | undefined

await runService(
  {
    async start() {
      await checkQueueRedis(boardConnection, { allowEviction: config.queueRedisAllowEviction, logger })
      app = await buildApp({ db, redis, config, boardQueues: [ingestQueue], logger, metrics: createApiMetrics(undefined, true) })
      await app.listen({ port: config.port, host: config.host })
    },
    close() {
      closing ??= (async () => {
        await app?.close()
        await ingestQueue.close()
        await Promise.allSettled([redis.quit(), boardConnection.quit(), closeDb(db)])
      })()
      return closing
    },
  },
  { logger, shutdownTimeoutMs: config.shutdownTimeoutMs },
)
