/**
 * How the aggregator (which invalidates) and the query API (which fills) share the Redis
 * projection cache without a stale fill outliving an invalidation.
 *
 * Plain cache-aside has a race: a loader reads PostgreSQL, the aggregator commits and deletes
 * the key, then the loader stores what it read before the commit. That entry would be served
 * until its TTL. So every cache key has a *fill guard*. A loader takes the guard's value before
 * it reads PostgreSQL, and stores its result only if the guard still holds that value (checked
 * atomically in Redis). Invalidation replaces the guard before it deletes the key. Either the
 * fill lands before the replacement (and the delete removes it), or the guard changed and the
 * fill is dropped. Hits pay nothing: the guard is touched only on a miss.
 *
 * The cache Redis may lose any key at any moment (LRU eviction, a restart, FLUSHALL), guards
 * included; the protocol assumes nothing about which keys survive. Invariants:
 * - A guard value is never written twice: every write is a fresh random value (never a
 *   counter, which eviction would reset to values loaders still hold).
 * - A loader never holds "no guard": if the guard is missing it writes a fresh one and holds
 *   that. So a guard that is evicted (missing again) or replaced never equals what a loader
 *   holds, and its fill is dropped: losing a guard costs one fill, never freshness.
 * - Values are decimal integers below 2^61, so a previous release's aggregator (INCR) can
 *   still bump them during a rolling deploy.
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { CACHE_TTL_SECONDS } from './cache-keys.js'

/** The guard of a projection key. Outside the `analytics:` projection namespace on purpose. */
export function fillGuardKey(key: string): string {
  return `analytics-guard:${key}`
}

/**
 * A guard only has to outlive the loads that hold it (milliseconds); it lives as long as a
 * cache entry so that the guard keys stay bounded by the keys loaded or invalidated recently.
 */
export const FILL_GUARD_TTL_SECONDS = CACHE_TTL_SECONDS

const GUARD_FLOOR = 1n << 60n

/** A guard value no one has written before (60 random bits), as a decimal integer. */
export function freshGuardValue(): string {
  return String((randomBytes(8).readBigUInt64BE() >> 4n) | GUARD_FLOOR)
}

/** KEYS: the guard. ARGV: a fresh value, the TTL. Returns the guard, written first if missing. */
const TAKE_GUARD = `
local guard = redis.call('GET', KEYS[1])
if guard then return guard end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]`

/** The guard of `key` as a loader must hold it before reading PostgreSQL (created when missing). */
export async function readFillGuard(redis: Redis, key: string): Promise<string> {
  return String(await redis.eval(TAKE_GUARD, 1, fillGuardKey(key), freshGuardValue(), String(FILL_GUARD_TTL_SECONDS)))
}

/** Keys per pipeline: bounded round trips, bounded argument lists. */
const INVALIDATE_CHUNK = 200

/** Replaces each key's guard with a fresh value, then deletes the key (UNLINK: freed off the server's main thread). */
export async function invalidateProjections(redis: Redis, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += INVALIDATE_CHUNK) {
    const pipeline = redis.pipeline()
    for (const key of keys.slice(start, start + INVALIDATE_CHUNK)) {
      pipeline.set(fillGuardKey(key), freshGuardValue(), 'EX', FILL_GUARD_TTL_SECONDS).unlink(key)
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
-- A missing guard (evicted, expired) equals no value a loader holds: the fill is dropped.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
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
