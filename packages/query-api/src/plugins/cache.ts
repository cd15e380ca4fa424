/**
 * Cache-aside over Redis with the contracts' key layout. A parameterised projection is a
 * field of its seed key's hash (so the aggregator's DEL of the key drops every variant).
 * Concurrent misses of one key/field share one load (single-flight, per process). A fill is
 * guarded (contracts' cache protocol): a load that raced an invalidation is served once but
 * never stored, and so is a load whose key is full (the contracts' FillLimits): no reader
 * grows Redis past them. When Redis fails the API still answers from PostgreSQL: the cache is
 * an optimisation.
 */
import { fillIfUnchanged, readFillGuard } from '@event-analytics/contracts'
import type { FillLimits } from '@event-analytics/contracts'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { RedisClient } from '@event-analytics/contracts'
import { SingleFlight } from '../cache/single-flight.js'

export interface CacheRequest<T> {
  /** Projection name for metrics (dashboard, roi, channels, channel, timeline, user). */
  projection: string
  key: string
  /** Hash field for parameterised projections. */
  field?: string
  load: () => Promise<T>
}

export interface CacheResult<T> {
  value: T
  hit: boolean
}

export interface ProjectionCache {
  /** A JSON value: stored stringified, parsed on a hit. */
  get<T>(request: CacheRequest<T>): Promise<CacheResult<T>>
  /** A string stored and returned verbatim: for entries the caller encodes itself (no JSON round trip on a hit). */
  getText(request: CacheRequest<string>): Promise<CacheResult<string>>
}

declare module 'fastify' {
  interface FastifyInstance {
    projectionCache: ProjectionCache
  }
}

export interface CacheOptions {
  redis: RedisClient
  ttlSeconds: number
  limits: FillLimits
}

function createProjectionCache(app: FastifyInstance, options: CacheOptions): ProjectionCache {
  const { redis, ttlSeconds, limits } = options
  const flight = new SingleFlight<CacheResult<unknown>>()

  async function read(key: string, field: string | undefined): Promise<string | null> {
    try {
      return field === undefined ? await redis.get(key) : await redis.hget(key, field)
    } catch (error) {
      app.log.warn({ err: error, key }, 'cache read failed; loading from PostgreSQL')
      return null
    }
  }

  /** The key's fill guard, or null when Redis fails (then the load is served but not stored). */
  async function guardOf(key: string): Promise<string | null> {
    try {
      return await readFillGuard(redis, key)
    } catch (error) {
      app.metrics.cacheFillsSkipped.inc({ reason: 'error' })
      app.log.warn({ err: error, key }, 'cache guard read failed')
      return null
    }
  }

  async function write(key: string, field: string | undefined, text: string, guard: string): Promise<void> {
    try {
      const outcome = await fillIfUnchanged(redis, { key, field, text, ttlSeconds, guard, limits })
      if (outcome === 'invalidated') app.metrics.cacheFillsDropped.inc()
      if (outcome === 'over-cap') app.metrics.cacheFillsSkipped.inc({ reason: 'cap' })
    } catch (error) {
      app.metrics.cacheFillsSkipped.inc({ reason: 'error' })
      app.log.warn({ err: error, key }, 'cache write failed')
    }
  }

  async function lookup<T>(request: CacheRequest<T>, decode: (text: string) => T, encode: (value: T) => string): Promise<CacheResult<T>> {
    const { key, field, projection } = request
    const { value } = await flight.run(`${key}\u0000${field ?? ''}`, async () => {
      const cached = await read(key, field)
      if (cached !== null) return { value: decode(cached) as unknown, hit: true }
      app.metrics.cacheLoads.inc({ projection })
      // Read before PostgreSQL is: an invalidation after this point makes the fill a no-op.
      const guard = await guardOf(key)
      const loaded = await request.load()
      if (guard !== null) await write(key, field, encode(loaded), guard)
      return { value: loaded as unknown, hit: false }
    })
    app.metrics.cacheRequests.inc({ projection, result: value.hit ? 'hit' : 'miss' })
    return value as CacheResult<T>
  }

  const verbatim = (text: string): string => text
  return {
    get: async <T>(request: CacheRequest<T>) =>
      lookup(
        request,
        (text) => JSON.parse(text) as T,
        (value) => JSON.stringify(value),
      ),
    getText: async (request: CacheRequest<string>) => lookup(request, verbatim, verbatim),
  }
}

async function cachePlugin(app: FastifyInstance, options: CacheOptions): Promise<void> {
  app.decorate('projectionCache', createProjectionCache(app, options))
}

export const projectionCachePlugin = fp(cachePlugin, { name: 'projection-cache', fastify: '5.x', dependencies: ['metrics'] })
