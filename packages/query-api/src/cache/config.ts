/**
 * Configuration of the in-process cache layer (cache/local-cache.ts). Kept apart from config.ts
 * (its shape is spread there), as live/config.ts is.
 */
import type { z } from 'zod'
import { doc, env } from '@event-analytics/ops'

export const localCacheShape = {
  /**
   * On by default: with the services' 4 MB young generation, a hit from it costs about 5 CPU-µs
   * less than a Redis hit (no command written, no reply read) at the same peak RSS, and the
   * cached dashboard answers about 20 % more requests/s (BENCHMARKS.md). A lost announcement
   * leaves an entry stale for at most API_LOCAL_CACHE_MAX_AGE_MS.
   */
  API_LOCAL_CACHE_ENABLED: doc(
    env.boolean(true),
    "An in-process copy of cached event projections in front of the cache Redis, dropped on the aggregator's change announcements (at the latest API_LOCAL_CACHE_MAX_AGE_MS after a read). Turn it off to read every cached projection from Redis.",
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
