/**
 * Redis projection cache layout (docs/SPEC.md section 8), shared by the query API (which fills it)
 * and the aggregator (which invalidates what a committed batch changed).
 *
 * Parameterised projections (timeline ranges, channel list filters, user pages) live as
 * fields of one hash per seed key, so invalidation is a plain DEL of a known key set,
 * never a SCAN over the keyspace. The fill caps one hash's size (ops' cache-protocol.ts, FillLimits).
 *
 * The braces are Redis Cluster hash tags: every key of one event (and of one owner) hashes to
 * one slot, and a key's fill guard (`analytics-guard:` + key) to the same slot as the key, so
 * the fill script's two keys and an event's invalidation pipeline work on a cluster. Ids never
 * contain braces (the API's ID_PATTERN), so the tag is exactly the id.
 */

export const CACHE_TTL_SECONDS = 3600

export const TIMELINE_GRANULARITIES = ['hour', 'day', 'week', 'month'] as const
export type TimelineGranularity = (typeof TIMELINE_GRANULARITIES)[number]

export const cacheKeys = {
  dashboard: (eventId: string) => `analytics:dashboard:{${eventId}}`,
  roi: (eventId: string) => `analytics:roi:{${eventId}}`,
  channel: (eventId: string, channelName: string) => `analytics:channel:{${eventId}}:${channelName}`,
  /** Hash: one field per (channelType filter, sort) of the channel list. */
  channelList: (eventId: string) => `analytics:channels:{${eventId}}`,
  /** Hash: one field per resolved range and time zone of this granularity (query-api's timelineCacheField). */
  timeline: (eventId: string, granularity: TimelineGranularity) => `analytics:timeline:{${eventId}}:${granularity}`,
  /** Hash: one field per page of the owner's summary. */
  user: (userId: string) => `analytics:user:{${userId}}`,
} as const

export interface ChangedProjection {
  readonly eventId: string
  /** The owner, when known: their summary includes this event. */
  readonly userId: string | null
  readonly channelNames: readonly string[]
}

/** Every cache key whose projection may differ after `change` was committed. */
export function keysToInvalidate(change: ChangedProjection): string[] {
  const { eventId, userId, channelNames } = change
  return [
    cacheKeys.dashboard(eventId),
    cacheKeys.roi(eventId),
    cacheKeys.channelList(eventId),
    ...channelNames.map((name) => cacheKeys.channel(eventId, name)),
    ...TIMELINE_GRANULARITIES.map((granularity) => cacheKeys.timeline(eventId, granularity)),
    ...(userId === null ? [] : [cacheKeys.user(userId)]),
  ]
}
