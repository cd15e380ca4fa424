/**
 * The in-process layer in front of the Redis cache (plugins/cache.ts): the local cache wired to
 * the change subscription and to the metrics.
 *
 * The layer is used only while the subscription is live (confirmed SUBSCRIBE, no drop since);
 * otherwise every lookup bypasses it (counted `bypass`) and nothing is stored. A drop clears it
 * whole: announcements may have been missed, so no entry can be trusted any more.
 */
import { Gauge } from 'prom-client'
import type { Counter } from 'prom-client'
import type { FastifyBaseLogger } from 'fastify'
import type { ChangeSubscription } from '../live/changes.js'
import type { ApiMetrics } from '../metrics.js'
import type { HeldEntry, LocalProjectionCache, PendingFill } from './local-cache.js'

export interface LocalLayer {
  /** The held entry for `key`, or undefined (a miss or a bypass, counted). */
  read(projection: string, key: string): HeldEntry | undefined
  /** Call before the read behind a miss starts; undefined when the result must not be kept. */
  begin(eventId: string, key: string): PendingFill | undefined
  /** The read's text: kept unless its event changed meanwhile. */
  finish(fill: PendingFill, text: string): void
  abandon(fill: PendingFill): void
}

export interface LocalLayerOptions {
  cache: LocalProjectionCache
  changes: ChangeSubscription
  metrics: ApiMetrics
  logger: FastifyBaseLogger
  /** Makes later callers of a key start their own read (its running read is now too old). */
  forget: (key: string) => void
}

type Result = 'hit' | 'miss' | 'bypass'

export function createLocalLayer(options: LocalLayerOptions): LocalLayer {
  const { cache, changes, metrics, logger, forget } = options
  const forgetAll = (fills: readonly PendingFill[]): void => {
    for (const fill of fills) forget(fill.key)
  }
  changes.listen({
    onChange: (change) => forgetAll(cache.invalidate(change.eventIds)),
    onGap: () => {
      metrics.localCacheResets.inc()
      forgetAll(cache.clear())
    },
  })
  registerSizeGauges(metrics, cache)
  const counted = countersByResult(metrics.localCacheRequests)
  const subscribe = (): void => {
    changes.ready().catch((error: unknown) => logger.debug({ err: error }, 'change subscription for the local cache failed; bypassing it'))
  }
  return {
    read(projection, key) {
      if (!changes.live) {
        // Not subscribed yet, or dropped and not resubscribed: nothing is held, nothing is kept.
        subscribe()
        counted(projection, 'bypass')
        return undefined
      }
      const held = cache.get(key)
      counted(projection, held === undefined ? 'miss' : 'hit')
      return held
    },
    begin: (eventId, key) => (changes.live ? cache.beginFill(eventId, key) : undefined),
    finish(fill, text) {
      if (!cache.finishFill(fill, text) && fill.stale) metrics.localCacheFillsDropped.inc()
    },
    abandon: (fill) => cache.abandonFill(fill),
  }
}

/** Counter children bound once per label pair: a hit should not hash its labels every time. */
function countersByResult(counter: Counter<'projection' | 'result'>): (projection: string, result: Result) => void {
  const children = new Map<string, { inc(): void }>()
  return (projection, result) => {
    const name = `${projection}\u0000${result}`
    let child = children.get(name)
    if (child === undefined) {
      child = counter.labels({ projection, result })
      children.set(name, child)
    }
    child.inc()
  }
}

function registerSizeGauges(metrics: ApiMetrics, cache: LocalProjectionCache): void {
  const { registry } = metrics
  for (const name of ['query_api_local_cache_entries', 'query_api_local_cache_bytes']) registry.removeSingleMetric(name)
  new Gauge({
    name: 'query_api_local_cache_entries',
    help: 'Entries held by the in-process cache',
    registers: [registry],
    collect() {
      this.set(cache.size)
    },
  })
  new Gauge({
    name: 'query_api_local_cache_bytes',
    help: 'Approximate bytes held by the in-process cache (keys and texts as UTF-16)',
    registers: [registry],
    collect() {
      this.set(cache.bytes)
    },
  })
}
