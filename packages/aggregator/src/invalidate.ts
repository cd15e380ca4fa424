/**
 * After a commit: which cached projections the batch may have changed (docs/SPEC.md section 8).
 *
 * Computed from every message of the batch, not only the freshly applied ones: when a commit
 * succeeds but its acknowledgement is lost (PostgreSQL restarting), the retried batch finds
 * all its messages already applied, and it is that retry which must invalidate.
 */
import { keysToInvalidate } from '@event-analytics/contracts'
import type { ChangedProjection, DomainEvent } from '@event-analytics/contracts'

/** The events and channels `messages` name, with each event's owner from `owners` (null when unknown). */
export function touchedProjections(messages: readonly DomainEvent[], owners: ReadonlyMap<string, string | null>): ChangedProjection[] {
  const channelsByEvent = new Map<string, Set<string>>()
  for (const message of messages) {
    const names = channelsByEvent.get(message.eventId) ?? new Set<string>()
    channelsByEvent.set(message.eventId, names)
    if (message.kind === 'ParticipantRegistered' && message.channelName !== null) names.add(message.channelName)
    if (message.kind === 'DistributionCompleted') for (const channel of message.channels) names.add(channel.channelName)
  }
  return [...channelsByEvent].map(([eventId, names]) => ({
    eventId,
    userId: owners.get(eventId) ?? null,
    channelNames: [...names],
  }))
}

/**
 * `changes` plus the other events (with their owners) whose new/returning split the batch may have
 * changed (docs/SPEC.md section 9a); their views are invalidated too.
 */
export function withSharingEvents(changes: readonly ChangedProjection[], sharing: ReadonlyMap<string, string>): ChangedProjection[] {
  const named = new Set(changes.map((change) => change.eventId))
  const others = [...sharing].filter(([eventId]) => !named.has(eventId)).map(([eventId, userId]) => ({ eventId, userId, channelNames: [] }))
  return [...changes, ...others]
}

/** Every cache key of `changes`, deduplicated. */
export function cacheKeysOf(changes: readonly ChangedProjection[]): string[] {
  return [...new Set(changes.flatMap((change) => keysToInvalidate(change)))]
}
