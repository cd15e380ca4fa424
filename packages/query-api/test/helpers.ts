/**
 * Test harness: a fresh migrated database, a Redis client isolated by a unique key prefix,
 * the app built against both, tokens, and a 5xx counter (no request may ever get one).
 */
import { randomBytes } from 'node:crypto'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { INGEST_QUEUE_NAME, WEBHOOK_DELIVERY_QUEUE_NAME } from '@event-analytics/contracts'
import { invalidateProjections, type HostLookup, type Logger } from '@event-analytics/ops'
import { refreshEventFigures } from '@event-analytics/db'
import type { Database } from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import type { Kysely } from 'kysely'
import type { TestDatabase } from '@event-analytics/db/testing'
import { buildApp, createApiMetrics, loadApiConfig, signDevToken } from '../src/index.js'
import type { ApiConfig, ApiMetrics } from '../src/index.js'

export const SECRET = 'test-secret-0123456789-0123456789-abcdef'
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'

interface Teardown {
  teardown(fn: () => unknown): void
}

export interface Harness {
  app: FastifyInstance
  testDb: TestDatabase
  redis: Redis
  metrics: ApiMetrics
  config: ApiConfig
  serverErrors: string[]
  /**
   * What the aggregator does after a commit: the keys go with their guards, the events are
   * announced. Resolves once the app heard the announcement (its local cache dropped them).
   */
  invalidate(keys: readonly string[], eventIds: readonly string[]): Promise<void>
  token(sub: string, options?: { operator?: boolean; viewer?: boolean; ttlSeconds?: number; secret?: string }): Promise<string>
}

export async function createHarness(
  t: Teardown,
  env: Record<string, string> = {},
  deps: { logger?: Logger; webhookLookup?: HostLookup } = {},
): Promise<Harness> {
  const testDb = await createTestDatabase(t)
  const prefix = `test:query-api:${process.pid}:${randomBytes(4).toString('hex')}:`
  // Fails loudly (never skips) when Redis is down: no retries, the first command rejects.
  // CACHE_REDIS_URL: a test's own redis-server for the cache (tests that kill or count it).
  const redis = new Redis(env['CACHE_REDIS_URL'] ?? REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1, lazyConnect: true })
  // A test that kills its own server makes this connection fail while it reconnects: expected, and
  // the commands sent meanwhile still reject. Unheard, ioredis would print every failed attempt.
  redis.on('error', () => undefined)
  await redis.connect()
  const queueConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue(INGEST_QUEUE_NAME, { connection: queueConnection, prefix: `${prefix}bull` })
  const webhookQueue = new Queue(WEBHOOK_DELIVERY_QUEUE_NAME, { connection: queueConnection, prefix: `${prefix}bull` })
  // A channel of its own: parallel files never hear each other's announcements.
  const channel = `test-changes-${process.pid}-${randomBytes(4).toString('hex')}`
  // The in-process layer is off by default; the tests run with it so every path through it is covered.
  const config = loadApiConfig({
    JWT_SECRET: SECRET,
    NODE_ENV: 'test',
    API_LOCAL_CACHE_ENABLED: 'true',
    CACHE_CHANGES_CHANNEL: channel,
    ...env,
  })
  const metrics = createApiMetrics()
  const app = await buildApp({ db: testDb.db, redis, config, boardQueues: [queue, webhookQueue], metrics, ...deps })
  const serverErrors: string[] = []
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500) serverErrors.push(`${request.method} ${request.url} -> ${reply.statusCode}`)
  })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await queue.close()
    await webhookQueue.close()
    // The shared Redis (queue keys, and the cache's unless a test brought its own server).
    const cleaner = new Redis(REDIS_URL)
    const keys = await cleaner.keys(`${prefix}*`)
    if (keys.length > 0) await cleaner.del(...keys)
    await Promise.all([cleaner.quit(), redis.quit(), queueConnection.quit()])
  })
  return {
    app,
    testDb,
    redis,
    metrics,
    config,
    serverErrors,
    invalidate: async (keys, eventIds) => {
      await app.changes.ready()
      let stop = (): void => undefined
      const heard = new Promise<void>((resolve) => {
        stop = app.changes.listen({ onChange: (change) => eventIds.every((id) => change.eventIds.includes(id)) && resolve() })
      })
      await invalidateProjections(redis, keys, { channel: config.live.changesChannel, eventIds })
      await heard.finally(stop)
    },
    token: (sub, options = {}) =>
      signDevToken(options.secret ?? SECRET, {
        sub,
        ...(options.operator === undefined ? {} : { operator: options.operator }),
        ...(options.viewer === undefined ? {} : { viewer: options.viewer }),
        ...(options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds }),
      }),
  }
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

/**
 * Fixtures write the primitive columns directly: store the events' figures as the aggregator
 * does after every batch (docs/SPEC.md section 6 lives in PostgreSQL, packages/db migration
 * 0006). total_views becomes the sum of the event's channel views.
 */
export async function storeFigures(db: Kysely<Database>, eventIds?: readonly string[]): Promise<void> {
  const ids = eventIds ?? (await db.selectFrom('event_stats').select('event_id').execute()).map((row) => row.event_id)
  await refreshEventFigures(db, ids)
}
