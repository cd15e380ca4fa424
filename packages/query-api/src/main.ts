/**
 * Entry point: validates the environment, connects PostgreSQL and Redis, serves the API and
 * shuts down gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close).
 */
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { INGEST_QUEUE_NAME, createLogger } from '@event-analytics/contracts'
import { closeDb, createDb } from '@event-analytics/db'
import { buildApp } from './app.js'
import { loadApiConfig } from './config.js'
import { createApiMetrics } from './plugins/metrics.js'

const logger = createLogger('query-api')

async function main(): Promise<void> {
  const config = loadApiConfig()
  const db = createDb(config.databaseUrl, {
    applicationName: 'query-api',
    onPoolError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
  })
  const redis = new Redis(config.cacheRedisUrl, { maxRetriesPerRequest: 2 })
  // BullMQ needs its own connection without a key prefix (it prefixes its keys itself).
  const boardConnection = new Redis(config.redisUrl, { maxRetriesPerRequest: null })
  const ingestQueue = new Queue(INGEST_QUEUE_NAME, { connection: boardConnection, prefix: config.queuePrefix })
  const app = await buildApp({
    db,
    redis,
    config,
    boardQueues: [ingestQueue],
    logger,
    metrics: createApiMetrics(undefined, true),
  })
  await app.listen({ port: config.port, host: config.host })

  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    try {
      await app.close()
      await ingestQueue.close()
      await Promise.allSettled([redis.quit(), boardConnection.quit(), closeDb(db)])
      process.exit(0)
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    }
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'query-api failed to start')
  process.exit(1)
})
