/**
 * Cache-aside over Redis with the contracts' key layout. A parameterised projection is a
 * field of its seed key's hash (so the aggregator's DEL of the key drops every variant).
 * Concurrent misses of one key/field share one load (single-flight, per process). When
 * Redis fails the API still answers from PostgreSQL: the cache is an optimisation.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
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
  redis: Redis
  ttlSeconds: number
}

function createProjectionCache(app: FastifyInstance, options: CacheOptions): ProjectionCache {
  const { redis, ttlSeconds } = options
  const flight = new SingleFlight<CacheResult<unknown>>()

  async function read(key: string, field: string | undefined): Promise<string | null> {
    try {
      return field === undefined ? await redis.get(key) : await redis.hget(key, field)
    } catch (error) {
      app.log.warn({ err: error, key }, 'cache read failed; loading from PostgreSQL')
      return null
    }
  }

  async function write(key: string, field: string | undefined, text: string): Promise<void> {
    try {
      if (field === undefined) {
        await redis.set(key, text, 'EX', ttlSeconds)
      } else {
        // NX: the TTL starts with the hash's first field, so it stays a backstop for all fields.
        await redis.multi().hset(key, field, text).expire(key, ttlSeconds, 'NX').exec()
      }
    } catch (error) {
      app.log.warn({ err: error, key }, 'cache write failed')
    }
  }

  async function lookup<T>(request: CacheRequest<T>, decode: (text: string) => T, encode: (value: T) => string): Promise<CacheResult<T>> {
    const { key, field, projection } = request
    const { value } = await flight.run(`${key}\u0000${field ?? ''}`, async () => {
      const cached = await read(key, field)
      if (cached !== null) return { value: decode(cached) as unknown, hit: true }
      app.metrics.cacheLoads.inc({ projection })
      const loaded = await request.load()
      await write(key, field, encode(loaded))
      return { value: loaded as unknown, hit: false }
    })
    app.metrics.cacheRequests.inc({ projection, result: value.hit ? 'hit' : 'miss' })
    return value as CacheResult<T>
  }

  const verbatim = (text: string): string => text
  return {
    get: async <T>(request: CacheRequest<T>) => lookup(request, (text) => JSON.parse(text) as T, (value) => JSON.stringify(value)),
    getText: async (request: CacheRequest<string>) => lookup(request, verbatim, verbatim),
  }
}

async function cachePlugin(app: FastifyInstance, options: CacheOptions): Promise<void> {
  app.decorate('projectionCache', createProjectionCache(app, options))
}

export const projectionCachePlugin = fp(cachePlugin, { name: 'projection-cache', fastify: '5.x', dependencies: ['metrics'] })
