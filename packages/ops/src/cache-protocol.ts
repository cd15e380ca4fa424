/**
 * How the aggregator (which invalidates) and the query API (which fills) share the Redis
 * projection cache without a stale fill outliving an invalidation.
 *
 * Plain cache-aside has a race: a loader reads PostgreSQL, the aggregator commits and deletes
 * the key, then the loader stores what it read before the commit. That entry would be served
 * until its TTL. So every cache key has a *fill guard*. A loader takes the guard's value before
 * it reads PostgreSQL, and stores its result only if the guard still holds that value (checked
 * atomically in Redis). Invalidation deletes the guard together with the key. Either the fill
 * lands before the invalidation (and the delete removes it), or the guard is gone or holds a
 * later loader's fresh value, and the fill is dropped. Hits pay nothing: the guard is touched
 * only on a miss.
 *
 * The cache Redis may lose any key at any moment (LRU eviction, a restart, FLUSHALL), guards
 * included; the protocol assumes nothing about which keys survive. Invariants:
 * - A guard value is never written twice: every write is a fresh random value (never a
 *   counter, which a delete or an eviction would reset to values loaders still hold).
 * - A loader never holds "no guard": if the guard is missing it writes a fresh one and holds
 *   that. So a guard that is deleted, evicted or replaced never equals what a loader holds
 *   again, and its fill is dropped: losing a guard costs one fill, never freshness. That is
 *   also why invalidation may delete guards instead of writing new ones: the next loader
 *   writes the fresh value itself, and a key nobody loads costs Redis no guard at all.
 * - Values are decimal integers below 2^61, so a previous release's aggregator (INCR) can
 *   still bump them during a rolling deploy.
 */
import { randomBytes } from 'node:crypto'
import type { ChainableCommander } from 'ioredis'
import { CACHE_TTL_SECONDS, encodeChanges } from '@event-analytics/contracts'
import { hashTagOf, isClusterClient, type RedisClient } from './redis-connection.js'

/** The guard of a projection key. Outside the `analytics:` projection namespace on purpose. */
export function fillGuardKey(key: string): string {
  return `analytics-guard:${key}`
}

/**
 * A guard only has to outlive the loads that hold it (milliseconds); it lives as long as a
 * cache entry so that the guard keys stay bounded by the keys loaded recently.
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
export async function readFillGuard(redis: RedisClient, key: string): Promise<string> {
  return String(await redis.eval(TAKE_GUARD, 1, fillGuardKey(key), freshGuardValue(), String(FILL_GUARD_TTL_SECONDS)))
}

/** Projection keys per UNLINK (each with its guard): bounded argument lists. */
const INVALIDATE_CHUNK = 200

/** Announce the changed events on a pub/sub channel once their keys are gone (see contracts' changes.ts). */
export interface ChangePublication {
  readonly channel: string
  readonly eventIds: readonly string[]
}

/**
 * Deletes each key with its guard (UNLINK: freed off the server's main thread), both in one
 * command, so no fill can fall between them. With `publish`, the change messages go after every
 * UNLINK was answered: Redis runs a connection's commands in order, so a subscriber that reads
 * on hearing the message never finds the key it was told about still cached.
 *
 * On a single server one pipeline carries every key (in chunks) and the messages last. On a
 * cluster one command may only name keys of one slot, so there is one pipeline per hash tag
 * (an event's keys, an owner's key: contracts' cache-keys.ts; a guard shares its key's tag), sent
 * together, and the messages follow once all of them were answered.
 */
export async function invalidateProjections(redis: RedisClient, keys: readonly string[], publish?: ChangePublication): Promise<void> {
  const messages = publish === undefined ? [] : encodeChanges(publish.eventIds)
  const announce = (pipeline: ChainableCommander): void => {
    for (const message of messages) if (publish !== undefined) pipeline.publish(publish.channel, message)
  }
  if (isClusterClient(redis)) {
    await Promise.all(groupBySlot(keys).map((group) => execAll(unlinkWithGuards(redis.pipeline(), group))))
    if (messages.length > 0) {
      const pipeline = redis.pipeline()
      announce(pipeline)
      await execAll(pipeline)
    }
    return
  }
  const pipeline = unlinkWithGuards(redis.pipeline(), keys)
  announce(pipeline)
  if (pipeline.length > 0) await execAll(pipeline)
}

function unlinkWithGuards(pipeline: ChainableCommander, keys: readonly string[]): ChainableCommander {
  for (let start = 0; start < keys.length; start += INVALIDATE_CHUNK) {
    pipeline.unlink(keys.slice(start, start + INVALIDATE_CHUNK).flatMap((key) => [fillGuardKey(key), key]))
  }
  return pipeline
}

/** Keys of one hash tag share a slot (more groups than slots is harmless: more round trips). */
function groupBySlot(keys: readonly string[]): string[][] {
  const groups = new Map<string, string[]>()
  for (const key of keys) {
    const tag = hashTagOf(key)
    const group = groups.get(tag)
    if (group === undefined) groups.set(tag, [key])
    else group.push(key)
  }
  return [...groups.values()]
}

async function execAll(pipeline: ChainableCommander): Promise<void> {
  const replies = (await pipeline.exec()) ?? []
  const failed = replies.find(([error]) => error !== null)
  if (failed !== undefined) throw failed[0]
}

/**
 * How big one cache key may grow. A parameterised projection's hash gains a field per distinct
 * parameter set a reader asks for; without a cap one owner could grow Redis without bound.
 */
export interface FillLimits {
  /** Bytes of a plain value, or of all field names and values of one hash together. */
  readonly maxBytes: number
  /** Fields of one hash. */
  readonly maxFields: number
}

/**
 * What Redis may hold for one capped key (MEMORY USAGE), for checks of the cap: the counted
 * bytes, rounded up by the allocator (jemalloc size classes waste at most a quarter), plus the
 * hash's own structures (entry, table slot, field header: well under 128 bytes a field).
 */
export function cappedKeyMemoryBound(limits: FillLimits): number {
  return Math.ceil(limits.maxBytes * 1.25) + limits.maxFields * 128
}

/**
 * The hash field holding the byte count of the other fields. Inside the hash, so it expires,
 * is evicted and is deleted together with what it counts. Projection fields are `name=value`
 * pairs, so none starts with `#`.
 */
export const HASH_SIZE_FIELD = '#bytes'

/**
 * KEYS: the projection key, its guard. ARGV: the guard held before loading, the TTL, the text,
 * the byte cap, the field cap, and the hash field when the projection is a field of a hash.
 * Returns 1 when stored, 0 when the guard no longer holds that value, -1 when over a cap.
 * The cap is checked in the same script as the write: concurrent fills cannot overshoot it.
 */
const FILL_IF_UNCHANGED = `
-- A missing guard (evicted, expired) equals no value a loader holds: the fill is dropped.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local text, maxBytes, maxFields, field = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
if field == nil then
  if #text > maxBytes then return -1 end
  redis.call('SET', KEYS[1], text, 'EX', ARGV[2])
  return 1
end
local size = '${HASH_SIZE_FIELD}'
local used = tonumber(redis.call('HGET', KEYS[1], size) or '0')
local fields = redis.call('HLEN', KEYS[1]) - redis.call('HEXISTS', KEYS[1], size)
local grow
if redis.call('HEXISTS', KEYS[1], field) == 1 then
  grow = #text - redis.call('HSTRLEN', KEYS[1], field)
else
  if fields >= maxFields then return -1 end
  grow = #field + #text
end
if used + grow > maxBytes then return -1 end
redis.call('HSET', KEYS[1], field, text, size, used + grow)
-- NX: the hash's TTL starts with its first field, so it stays a backstop for every field.
redis.call('EXPIRE', KEYS[1], ARGV[2], 'NX')
return 1`

export interface GuardedFill {
  readonly key: string
  /** Hash field for parameterised projections; undefined for a plain string key. */
  readonly field?: string | undefined
  readonly text: string
  readonly ttlSeconds: number
  /** What readFillGuard returned before the load started. */
  readonly guard: string
  readonly limits: FillLimits
}

/** stored; invalidated: the guard moved (or was lost) since it was taken; over-cap: the key is full. */
export type FillOutcome = 'stored' | 'invalidated' | 'over-cap'

const OUTCOMES: ReadonlyMap<unknown, FillOutcome> = new Map<unknown, FillOutcome>([
  [1, 'stored'],
  [0, 'invalidated'],
  [-1, 'over-cap'],
])

/** Stores the loaded text unless the key was invalidated since `fill.guard` was taken or is full. */
export async function fillIfUnchanged(redis: RedisClient, fill: GuardedFill): Promise<FillOutcome> {
  if (fill.field === HASH_SIZE_FIELD) throw new Error(`field ${HASH_SIZE_FIELD} is reserved for the hash's byte count`)
  const { maxBytes, maxFields } = fill.limits
  const args = [
    fill.guard,
    String(fill.ttlSeconds),
    fill.text,
    String(maxBytes),
    String(maxFields),
    ...(fill.field === undefined ? [] : [fill.field]),
  ]
  const reply = await redis.eval(FILL_IF_UNCHANGED, 2, fill.key, fillGuardKey(fill.key), ...args)
  const outcome = OUTCOMES.get(reply)
  if (outcome === undefined) throw new Error(`unexpected cache fill reply ${String(reply)}`)
  return outcome
}
