/**
 * Deterministic "which one wins" rules for messages that overwrite instead of add. They
 * mirror the SQL of packages/db (queries/apply-batch.ts) exactly, so the winner is the same
 * whether two messages meet inside one batch (here) or across batches (in PostgreSQL).
 */
import { parseDecimal } from '@event-analytics/contracts'
import type { EventCreated, EventStatus, EventStatusChanged, ParticipantRegistered } from '@event-analytics/contracts'
import type { ParticipationDelta } from '@event-analytics/db'

const STATUS_RANK: Record<EventStatus, number> = { ACTIVE: 1, ENDED: 2, ARCHIVED: 3 }

/** Byte order of UTF-8, like PostgreSQL's COLLATE "C". */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Last writer by occurredAt; a tie goes to the later status of the lifecycle. */
export function compareStatusChanges(a: EventStatusChanged, b: EventStatusChanged): number {
  return a.occurredAt - b.occurredAt || STATUS_RANK[a.status] - STATUS_RANK[b.status]
}

/** A missing schedule end sorts first, like coalesce(..., '-infinity') in SQL. */
function compareInstants(a: number | null | undefined, b: number | null | undefined): number {
  return Math.sign((a ?? Number.NEGATIVE_INFINITY) - (b ?? Number.NEGATIVE_INFINITY)) || 0
}

const NO_GROWTH_RATE = -100_000_000_000n

/** Latest occurredAt wins; a tie is broken by the content, so duplicates resolve in any order. */
export function compareEventCreated(a: EventCreated, b: EventCreated): number {
  return (
    a.occurredAt - b.occurredAt ||
    compareBytes(a.userId, b.userId) ||
    compareBytes(a.title, b.title) ||
    compareBig(parseDecimal(a.totalInvestment, 2), parseDecimal(b.totalInvestment, 2)) ||
    compareBig(parseDecimal(a.expectedRevenue, 2), parseDecimal(b.expectedRevenue, 2)) ||
    compareBig(parseDecimal(a.targetRoi, 2), parseDecimal(b.targetRoi, 2)) ||
    (a.expectedParticipants ?? -1) - (b.expectedParticipants ?? -1) ||
    compareBig(
      a.salesGrowthRate === null ? NO_GROWTH_RATE : parseDecimal(a.salesGrowthRate, 2),
      b.salesGrowthRate === null ? NO_GROWTH_RATE : parseDecimal(b.salesGrowthRate, 2),
    ) ||
    compareInstants(a.startsAt, b.startsAt) ||
    compareInstants(a.endsAt, b.endsAt)
  )
}

/** GREATEST() of SQL: NULL loses, otherwise the greater name (the types are plain ASCII). */
export function greaterChannelType<T extends string>(a: T | null, b: T | null): T | null {
  if (a === null) return b
  if (b === null) return a
  return a >= b ? a : b
}

/**
 * Whether `message` is an earlier registration of its participant in its event than `known`:
 * earlier occurredAt; on a tie a named channel before none, then channel names by bytes
 * (the upsert of packages/db queries/apply-participations.ts keeps the same one).
 */
export function earlierRegistration(message: ParticipantRegistered, known: ParticipationDelta): boolean {
  const byTime = message.occurredAt - known.registeredAt.getTime()
  if (byTime !== 0) return byTime < 0
  if (message.channelName === null || known.channelName === null) return message.channelName !== null && known.channelName === null
  return compareBytes(message.channelName, known.channelName) < 0
}
