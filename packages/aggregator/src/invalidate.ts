/** After a commit: delete the cache entries whose projections the batch changed (SPEC section 8). */
import { keysToInvalidate } from '@event-analytics/contracts'
import type { AppliedEvent, BatchWriteModel } from '@event-analytics/db'
import type { Redis } from 'ioredis'

/** Every cache key of the events and channels a committed batch touched, deduplicated. */
export function changedCacheKeys(model: BatchWriteModel, applied: readonly AppliedEvent[]): string[] {
  const channelsByEvent = new Map<string, string[]>()
  for (const channel of model.channels) {
    const names = channelsByEvent.get(channel.eventId) ?? []
    names.push(channel.channelName)
    channelsByEvent.set(channel.eventId, names)
  }
  const keys = new Set<string>()
  for (const event of applied) {
    const channelNames = channelsByEvent.get(event.eventId) ?? []
    for (const key of keysToInvalidate({ eventId: event.eventId, userId: event.userId, channelNames })) keys.add(key)
  }
  return [...keys]
}

const DEL_CHUNK = 500

/** UNLINK in chunks (non-blocking delete on the server; bounded argument lists). */
export async function invalidateKeys(redis: Redis, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += DEL_CHUNK) {
    await redis.unlink(...keys.slice(start, start + DEL_CHUNK))
  }
}
