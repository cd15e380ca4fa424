/**
 * Configuration of the in-process cache layer (cache/local-cache.ts). Kept apart from config.ts
 * (its shape is spread there), as live/config.ts is.
 */
import type { z } from 'zod'
import { env } from '@event-analytics/ops'

export const localCacheShape = {
  /**
   * Off by default: on this project's 2-core bench it served no more requests per second than
   * the Redis path (CPU per hit is Fastify's hook chain and the socket write, not the Redis GET)
   * and raised the API's peak RSS under load by ~50 MB (BENCHMARKS.md). Turn it on when the
   * cache Redis's CPU is the limit (many API replicas reading a few hot events).
   */
  API_LOCAL_CACHE_ENABLED: env.boolean(false),
  API_LOCAL_CACHE_MAX_ENTRIES: env.integer(10_000, 1, 10_000_000),
  /** Bytes of the held keys and bodies (as UTF-16 in V8): 64 MiB. */
  API_LOCAL_CACHE_MAX_BYTES: env.integer(64 * 1024 * 1024, 1024),
  /**
   * The backstop when an announcement is lost without the subscription noticing: a held entry
   * is served at most this long after it was read, whatever was (not) announced.
   */
  API_LOCAL_CACHE_MAX_AGE_MS: env.integer(1000, 1, 3_600_000),
}

export interface LocalCacheConfig {
  maxEntries: number
  maxBytes: number
  maxAgeMs: number
}

/** null when the layer is disabled. */
export function localCacheConfigFrom(raw: z.infer<z.ZodObject<typeof localCacheShape>>): LocalCacheConfig | null {
  if (!raw.API_LOCAL_CACHE_ENABLED) return null
  return {
    maxEntries: raw.API_LOCAL_CACHE_MAX_ENTRIES,
    maxBytes: raw.API_LOCAL_CACHE_MAX_BYTES,
    maxAgeMs: raw.API_LOCAL_CACHE_MAX_AGE_MS,
  }
}
