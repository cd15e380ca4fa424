/**
 * How the aggregator (which invalidates) and the query API (which fills) share the Redis
 * projection cache without a stale fill outliving an invalidation.
 *
 * Plain cache-aside has a race: a loader reads PostgreSQL, the aggregator commits and deletes
 * the key, then the loader stores what it read before the commit. That entry would be served
 * until its TTL. So every cache key has a *fill guard*, a counter the invalidation bumps
 * before it deletes the key. A loader reads the guard before it reads PostgreSQL, and stores
 * its result only if the guard is unchanged (checked atomically in Redis). Either the fill
 * lands before the bump (and the delete removes it), or the guard moved and the fill is
 * dropped. Hits pay nothing: the guard is read only on a miss.
 */
import type { Redis } from 'ioredis'
import { CACHE_TTL_SECONDS } from './cache-keys.js'

/** The guard of a projection key. Outside the `analytics:` projection namespace on purpose. */
export function fillGuardKey(key: string): string {
  return `analytics-guard:${key}`
}

/**
 * A guard only has to outlive the loads that read it (milliseconds); it lives as long as a
 * cache entry so that the guard keys stay bounded by the keys invalidated recently.
 */
export const FILL_GUARD_TTL_SECONDS = CACHE_TTL_SECONDS

/** The guard of `key` as a loader must remember it before reading PostgreSQL ('' when unset). */
export async function readFillGuard(redis: Redis, key: string): Promise<string> {
  return (await redis.get(fillGuardKey(key))) ?? ''
}

/** Keys per pipeline: bounded round trips, bounded argument lists. */
const INVALIDATE_CHUNK = 200

/** Bumps each key's guard, then deletes the key (UNLINK: freed off the server's main thread). */
export async function invalidateProjections(redis: Redis, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += INVALIDATE_CHUNK) {
    const pipeline = redis.pipeline()
    for (const key of keys.slice(start, start + INVALIDATE_CHUNK)) {
      const guard = fillGuardKey(key)
      pipeline.incr(guard).expire(guard, FILL_GUARD_TTL_SECONDS).unlink(key)
    }
    const replies = (await pipeline.exec()) ?? []
    const failed = replies.find(([error]) => error !== null)
    if (failed !== undefined) throw failed[0]
  }
}

/**
 * KEYS: the projection key, its guard. ARGV: the guard read before loading, the TTL, the text,
 * and the hash field when the projection is a field of a hash. Returns 1 when stored.
 */
const FILL_IF_UNCHANGED = `
local guard = redis.call('GET', KEYS[2]) or ''
if guard ~= ARGV[1] then return 0 end
if ARGV[4] == nil then
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[2])
else
  redis.call('HSET', KEYS[1], ARGV[4], ARGV[3])
  -- NX: the hash's TTL starts with its first field, so it stays a backstop for every field.
  redis.call('EXPIRE', KEYS[1], ARGV[2], 'NX')
end
return 1`

export interface GuardedFill {
  readonly key: string
  /** Hash field for parameterised projections; undefined for a plain string key. */
  readonly field?: string | undefined
  readonly text: string
  readonly ttlSeconds: number
  /** What readFillGuard returned before the load started. */
  readonly guard: string
}

/** Stores the loaded text unless the key was invalidated since `fill.guard` was read. */
export async function fillIfUnchanged(redis: Redis, fill: GuardedFill): Promise<boolean> {
  const args = [fill.guard, String(fill.ttlSeconds), fill.text, ...(fill.field === undefined ? [] : [fill.field])]
  const stored = await redis.eval(FILL_IF_UNCHANGED, 2, fill.key, fillGuardKey(fill.key), ...args)
  return stored === 1
}
