/**
 * Configuration of the in-process cache layer (cache/local-cache.ts). Kept apart from config.ts
 * (its shape is spread there), as live/config.ts is.
 */
import type { z } from 'zod'
import { doc, env } from '@event-analytics/ops'

export const localCacheShape = {
  /**
   * Off by default: on this project's 2-core bench it served no more requests per second than
   * the Redis path (CPU per hit is Fastify's hook chain and the socket write, not the Redis GET)
   * and raised the API's peak RSS under load by ~50 MB (BENCHMARKS.md).
   */
  API_LOCAL_CACHE_ENABLED: doc(
    env.boolean(false),
    "An in-process copy of cached event projections in front of the cache Redis, dropped on the aggregator's change announcements. Turn it on when the cache Redis's CPU is the limit (many API replicas reading a few hot events).",
  ),
  API_LOCAL_CACHE_MAX_ENTRIES: doc(
    env.integer(10_000, 1, 1_000_000),
    'Entries the local cache holds at most (its LRU reserves a slot array of this length when the API starts).',
  ),
  API_LOCAL_CACHE_MAX_BYTES: doc(env.integer(64 * 1024 * 1024, 1024), 'Bytes of the held keys and bodies (as UTF-16 in V8) at most.'),
  API_LOCAL_CACHE_MAX_AGE_MS: doc(
    env.integer(1000, 1, 3_600_000),
    'A held entry is served at most this long after it was read: the backstop when a change announcement is lost unnoticed.',
  ),
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
