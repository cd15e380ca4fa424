/**
 * Cache-aside over Redis with the contracts' key layout. A parameterised projection is a
 * field of its seed key's hash (so the aggregator's DEL of the key drops every variant).
 * Concurrent misses of one key/field share one load (single-flight, per process). A fill is
 * guarded (ops' cache protocol): a load that raced an invalidation is served once but
 * never stored, and so is a load whose key is full (ops' FillLimits): no reader
 * grows Redis past them. When Redis fails the API still answers from PostgreSQL: the cache is
 * an optimisation.
 */
import { fillIfUnchanged, readFillGuard, type FillLimits, type RedisClient } from '@event-analytics/ops'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { SingleFlight } from '../cache/single-flight.js'
import type { HeldEntry, LocalProjectionCache } from '../cache/local-cache.js'
import { createLocalLayer } from '../cache/local-layer.js'
import type { LocalLayer } from '../cache/local-layer.js'
import type { ChangeSubscription } from '../live/changes.js'

export interface CacheRequest<T> {
  /** Projection name for metrics (dashboard, roi, channels, channel, timeline, user). */
  projection: string
  key: string
  /** Hash field for parameterised projections. */
  field?: string
  /**
   * The event whose announcements invalidate this entry (every event-scoped key is invalidated
   * with its event's announcement): such entries may also be held in process (the local layer).
   */
  eventId?: string
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
  /**
   * A text entry (as getText) handed to `request.decode`. An in-process copy keeps what `decode`
   * made of it, so a hit does not decode again: every caller of the key must pass the same pure
   * function of the text, and nobody may mutate the value (hits share it).
   */
  getDecoded<T>(request: DecodedRequest<T>): Promise<CacheResult<T>>
}

export interface DecodedRequest<T> extends CacheRequest<string> {
  decode: (text: string) => T
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
  /** The in-process layer and the announcements that invalidate it; absent: Redis only. */
  local?: { cache: LocalProjectionCache; changes: ChangeSubscription }
}

/** What one read produced: the entry's text, and on a miss the loaded value itself (not parsed back). */
interface Read {
  text: string
  hit: boolean
  /**
   * Redis holds this text (read from it, or the fill was stored). Only such texts are kept in
   * process: the local layer is a subset of Redis, so Redis's per-key caps bound it too (a load
   * over a cap, or one Redis refused, is served uncached by both layers).
   */
  inRedis: boolean
  loaded?: unknown
}

/** Where a lookup found its entry: a local copy, or a read through Redis (shared by single-flight). */
type Found = { held: HeldEntry; read?: undefined } | { held?: undefined; read: Read }

function createProjectionCache(app: FastifyInstance, options: CacheOptions): ProjectionCache {
  const { redis, ttlSeconds, limits } = options
  const flight = new SingleFlight<Read>()

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

  /** True when Redis stored the text. */
  async function write(key: string, field: string | undefined, text: string, guard: string): Promise<boolean> {
    try {
      const outcome = await fillIfUnchanged(redis, { key, field, text, ttlSeconds, guard, limits })
      if (outcome === 'invalidated') app.metrics.cacheFillsDropped.inc()
      if (outcome === 'over-cap') app.metrics.cacheFillsSkipped.inc({ reason: 'cap' })
      return outcome === 'stored'
    } catch (error) {
      app.metrics.cacheFillsSkipped.inc({ reason: 'error' })
      app.log.warn({ err: error, key }, 'cache write failed')
      return false
    }
  }

  const local = options.local === undefined ? undefined : layerOf(app, options.local, (key) => flight.forget(key))

  /** The entry's text from Redis, or loaded from PostgreSQL (and stored when its guard held). */
  async function readThrough<T>(request: CacheRequest<T>, encode: (value: T) => string): Promise<Read> {
    const { key, field, projection } = request
    const cached = await read(key, field)
    if (cached !== null) return { text: cached, hit: true, inRedis: true }
    app.metrics.cacheLoads.inc({ projection })
    // Read before PostgreSQL is: an invalidation after this point makes the fill a no-op.
    const guard = await guardOf(key)
    const loaded = await request.load()
    const text = encode(loaded)
    const inRedis = guard !== null && (await write(key, field, text, guard))
    return { text, hit: false, inRedis, loaded }
  }

  /** The entry from the local layer (`held`), else from Redis or a load (`read`); counted. */
  async function lookup<T>(request: CacheRequest<T>, encode: (value: T) => string): Promise<Found> {
    const { key, field, projection, eventId } = request
    const entryKey = `${key}\u0000${field ?? ''}`
    const held = eventId === undefined ? undefined : local?.read(projection, entryKey)
    if (held !== undefined) return { held }
    const { value: read } = await flight.run(entryKey, async () => {
      // Registered before Redis is read: an announcement from now on keeps this read out of the local layer.
      const fill = eventId === undefined ? undefined : local?.begin(eventId, entryKey)
      try {
        const result = await readThrough(request, encode)
        if (fill !== undefined) {
          if (result.inRedis) local?.finish(fill, result.text)
          else local?.abandon(fill)
        }
        return result
      } catch (error) {
        if (fill !== undefined) local?.abandon(fill)
        throw error
      }
    })
    app.metrics.cacheRequests.inc({ projection, result: read.hit ? 'hit' : 'miss' })
    return { read }
  }

  const verbatim = (text: string): string => text
  return {
    async get<T>(request: CacheRequest<T>) {
      const { held, read } = await lookup(request, (value) => JSON.stringify(value))
      if (held !== undefined) return { value: JSON.parse(held.text) as T, hit: true }
      return { value: read.hit ? (JSON.parse(read.text) as T) : (read.loaded as T), hit: read.hit }
    },
    async getText(request: CacheRequest<string>) {
      const { held, read } = await lookup(request, verbatim)
      return held !== undefined ? { value: held.text, hit: true } : { value: read.text, hit: read.hit }
    },
    async getDecoded<T>(request: DecodedRequest<T>) {
      const { decode } = request
      const { held, read } = await lookup(request, verbatim)
      if (held === undefined) return { value: decode(read.text), hit: read.hit }
      held.decoded ??= { value: decode(held.text) }
      return { value: held.decoded.value as T, hit: true }
    },
  }
}

function layerOf(app: FastifyInstance, local: NonNullable<CacheOptions['local']>, forget: (key: string) => void): LocalLayer {
  const layer = createLocalLayer({ ...local, metrics: app.metrics, logger: app.log, forget })
  // Subscribed from the start (not at the first request), so the first reads can be kept already.
  app.addHook('onReady', async () => {
    local.changes
      .ready()
      .catch((error: unknown) => app.log.warn({ err: error }, 'change subscription failed; local cache bypassed until it succeeds'))
  })
  return layer
}

async function cachePlugin(app: FastifyInstance, options: CacheOptions): Promise<void> {
  app.decorate('projectionCache', createProjectionCache(app, options))
}

export const projectionCachePlugin = fp(cachePlugin, { name: 'projection-cache', fastify: '5.x', dependencies: ['metrics'] })
