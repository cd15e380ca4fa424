/**
 * The API's Prometheus metrics: request durations per route, the Redis cache and the in-process
 * layer's counters. The registry is per app instance (tests build many apps in one process).
 * Below both the cache modules that count and the plugin that serves `/metrics`.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface ApiMetrics {
  registry: Registry
  cacheRequests: Counter<'projection' | 'result'>
  cacheLoads: Counter<'projection'>
  cacheFillsDropped: Counter
  cacheFillsSkipped: Counter<'reason'>
  localCacheRequests: Counter<'projection' | 'result'>
  localCacheFillsDropped: Counter
  localCacheResets: Counter
  requestDuration: Histogram<'method' | 'route' | 'status_code'>
}

export function createApiMetrics(registry = new Registry(), defaults = false): ApiMetrics {
  if (defaults) collectDefaultMetrics({ register: registry })
  return {
    registry,
    cacheRequests: new Counter({
      name: 'query_api_cache_requests_total',
      help: 'Projection cache lookups that reached Redis (after the in-process layer) by result (hit: served from Redis, miss: loaded from PostgreSQL)',
      labelNames: ['projection', 'result'],
      registers: [registry],
    }),
    cacheLoads: new Counter({
      name: 'query_api_cache_loads_total',
      help: 'Projection loads from PostgreSQL (single-flight: one per key for concurrent misses)',
      labelNames: ['projection'],
      registers: [registry],
    }),
    cacheFillsDropped: new Counter({
      name: 'query_api_cache_fills_dropped_total',
      help: 'Loads not stored because the key was invalidated while they read PostgreSQL',
      registers: [registry],
    }),
    cacheFillsSkipped: new Counter({
      name: 'query_api_cache_fills_skipped_total',
      help: 'Loads served but not stored: cap (the key is at CACHE_KEY_MAX_BYTES or CACHE_HASH_MAX_FIELDS), error (Redis refused the write)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    localCacheRequests: new Counter({
      name: 'query_api_local_cache_requests_total',
      help: 'In-process cache lookups by result (hit: served without Redis, miss: read through Redis, bypass: change subscription not live, layer off)',
      labelNames: ['projection', 'result'],
      registers: [registry],
    }),
    localCacheFillsDropped: new Counter({
      name: 'query_api_local_cache_fills_dropped_total',
      help: 'Reads not kept in process because their event was announced changed (or the subscription dropped) while they ran',
      registers: [registry],
    }),
    localCacheResets: new Counter({
      name: 'query_api_local_cache_resets_total',
      help: 'Times the whole in-process cache was dropped because the change subscription was lost',
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'query_api_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  }
}
