import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { pingDatabase } from '@event-analytics/db'
import type { Database } from '@event-analytics/db'
import { runReadinessChecks, type RedisClient } from '@event-analytics/ops'

export interface HealthOptions {
  db: Kysely<Database>
  redis: RedisClient
}

/** Liveness and readiness on the API port (no auth, no rate limit: probes call them often). */
export async function healthRoutes(app: FastifyInstance, options: HealthOptions): Promise<void> {
  const probe = { config: { rateLimit: false }, schema: { tags: ['operations'] } } as const
  app.get('/health', { ...probe, schema: { ...probe.schema, summary: 'Liveness' } }, async () => ({ status: 'ok' }))
  app.get(
    '/ready',
    { ...probe, schema: { ...probe.schema, summary: 'Readiness: PostgreSQL and Redis answer' } },
    async (_request, reply) => {
      // Named by role as in every service: `cache` is the cache Redis (CACHE_REDIS_URL).
      const report = await runReadinessChecks({
        postgres: () => pingDatabase(options.db),
        cache: async () => {
          await options.redis.ping()
        },
      })
      return reply
        .code(report.ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(report)
    },
  )
}
