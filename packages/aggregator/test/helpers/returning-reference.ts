/** docs/SPEC.md 9a in plain code, for the tests: the new/returning split per event. */
import type { DomainEvent } from '@event-analytics/contracts'

export interface Participation {
  readonly eventId: string
  readonly participantId: string
  /** When it happened (any unit; only the order matters). */
  readonly time: number
}

/**
 * Per owner, a participant's first participation (earliest registration per event, then by time,
 * ties by event id) is new, every later one returning. Events without an owner count for no one.
 * Returns [new, returning] for every event of `owners`.
 */
export function returningReference(owners: ReadonlyMap<string, string>, rows: readonly Participation[]): Map<string, [number, number]> {
  const first = new Map<string, Participation>()
  for (const row of rows) {
    if (!owners.has(row.eventId)) continue
    const key = JSON.stringify([row.eventId, row.participantId])
    const known = first.get(key)
    if (known === undefined || row.time < known.time) first.set(key, row)
  }
  const split = new Map<string, [number, number]>([...owners.keys()].map((eventId) => [eventId, [0, 0]]))
  for (const row of first.values()) {
    const owner = owners.get(row.eventId)
    const earlier = [...first.values()].some(
      (other) =>
        other.participantId === row.participantId &&
        other.eventId !== row.eventId &&
        owners.get(other.eventId) === owner &&
        (other.time < row.time || (other.time === row.time && other.eventId < row.eventId)),
    )
    split.get(row.eventId)![earlier ? 1 : 0] += 1
  }
  return split
}

/** The registrations of `stream`, each message once. */
export function participationsOf(stream: readonly DomainEvent[]): Participation[] {
  const seen = new Set<string>()
  const rows: Participation[] = []
  for (const message of stream) {
    if (message.kind !== 'ParticipantRegistered' || seen.has(message.messageId)) continue
    seen.add(message.messageId)
    rows.push({ eventId: message.eventId, participantId: message.participantId, time: message.occurredAt })
  }
  return rows
}
