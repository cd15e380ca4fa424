/**
 * What changed, pushed: after the aggregator invalidates the cache keys of a commit (or of a
 * channel-metrics refresh, or a provider's breaker transition), it publishes the event ids on
 * a Redis pub/sub channel of the cache Redis, so every query-API instance can push fresh
 * dashboards to its live streams without polling.
 *
 * Pub/sub is fire-and-forget: a subscriber that is disconnected misses messages. That is
 * acceptable because the message carries no data, only "read again": the stream sends the
 * current state on every (re)connect, and PostgreSQL stays the truth.
 */
import { z } from 'zod'

/** The default channel; tests use their own (`CACHE_CHANGES_CHANNEL`) so parallel files never hear each other. */
export const DEFAULT_CHANGES_CHANNEL = 'analytics-changes'

/** Bounds one message: a batch naming more events is published in several messages. */
export const MAX_EVENT_IDS_PER_CHANGE = 500

export interface ProjectionChange {
  readonly v: 1
  /** The events whose projections may differ now (their cache keys were invalidated first). */
  readonly eventIds: readonly string[]
  /** Epoch ms at which the publisher invalidated; lets subscribers measure delivery delay. */
  readonly at: number
}

const changeSchema = z.object({
  v: z.literal(1),
  eventIds: z.array(z.string().min(1).max(64)).max(MAX_EVENT_IDS_PER_CHANGE),
  at: z.number().int().nonnegative(),
})

/** The messages announcing `eventIds` (deduplicated, chunked), ready for PUBLISH. */
export function encodeChanges(eventIds: readonly string[], at: number = Date.now()): string[] {
  const unique = [...new Set(eventIds)]
  const messages: string[] = []
  for (let start = 0; start < unique.length; start += MAX_EVENT_IDS_PER_CHANGE) {
    const change: ProjectionChange = { v: 1, eventIds: unique.slice(start, start + MAX_EVENT_IDS_PER_CHANGE), at }
    messages.push(JSON.stringify(change))
  }
  return messages
}

/** The change a message announces, or undefined when it is not one (another publisher, a newer version). */
export function decodeChange(text: string): ProjectionChange | undefined {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  const parsed = changeSchema.safeParse(json)
  return parsed.success ? parsed.data : undefined
}
