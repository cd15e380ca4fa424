/**
 * Pacing of a scheduled event (docs/SPEC.md section 9a), pure: no clock, no I/O. Computed at the
 * event's asOf (its newest applied input, never in the future), so a silent campaign is paced as
 * of its last message, not as of whenever it is read.
 *
 * - expectedSoFar = expectedParticipants x elapsed fraction of [startsAt, endsAt], the fraction
 *   clamped to [0, 1]; rounded half-up to a whole participant.
 * - pacePercent = participants / expectedSoFar x 100 (2 decimals, half-up; null while expectedSoFar is 0).
 * - The recent hourly rate: the event's timeline over the last RECENT_HOURS whole UTC hours before
 *   asOf's hour (the hour holding asOf is still filling, so it is left out), never before startsAt,
 *   zero-filled. perHour is their mean; low/high are the lower/upper quartile of those hourly counts
 *   (nearest rank), widened to include the mean: "if the rest runs like the slower/faster quarter
 *   of recent hours".
 * - projected participants at endsAt = participants + rate x hours left, for the mean (expected),
 *   low and high rates; exact integer arithmetic, rounded half-up.
 * Before startsAt there is no pace and no projection (phase NOT_STARTED); at or after endsAt the
 * projection is the final count (phase ENDED).
 */
import { divideHalfUp, formatDecimal, type DecimalString, type EventStatus } from '@event-analytics/contracts'

export const PACING_RECENT_HOURS = 24
const HOUR_MS = 3_600_000

export interface HourlyParticipants {
  /** Start of the UTC hour. */
  readonly hour: Date
  readonly participants: number
}

export interface PacingInput {
  /** An event ENDED or ARCHIVED is over whatever its schedule says: its figures are final. */
  readonly status: EventStatus
  readonly startsAt: Date | null
  readonly endsAt: Date | null
  readonly expectedParticipants: number | null
  /** Participants counted as of asOf (total_participants). */
  readonly participants: number
  /** The event's asOf: pacing is computed at this instant. */
  readonly asOf: Date | null
  /** The event's hourly timeline rows around the recent window; hours with no row count 0. */
  readonly hourly: readonly HourlyParticipants[]
}

export type PacingPhase = 'NOT_STARTED' | 'RUNNING' | 'ENDED'
export type PacingUnavailableReason = 'NO_SCHEDULE' | 'NO_EXPECTED_PARTICIPANTS' | 'NO_AS_OF'

export interface PacingUnavailable {
  readonly reason: PacingUnavailableReason
  readonly detail: string
}

export interface RecentHourlyRate {
  /** Whole hours the rate is taken over (1..RECENT_HOURS). */
  readonly hours: number
  readonly from: Date
  readonly to: Date
  /** Participants per hour (2 decimals, for display; the projections use the exact fractions). */
  readonly perHour: number
  readonly low: number
  readonly high: number
}

export interface ProjectedParticipants {
  readonly expected: number
  readonly low: number
  readonly high: number
}

export interface PacingFigures {
  readonly asOf: Date
  readonly startsAt: Date
  readonly endsAt: Date
  readonly phase: PacingPhase
  /** Share of the schedule elapsed at asOf, 0..1 (4 decimals). */
  readonly elapsedFraction: number
  readonly participants: number
  readonly expectedParticipants: number
  readonly expectedSoFar: number
  readonly pacePercent: DecimalString | null
  /** null before the start, after the end, and while no whole hour of the schedule lies before asOf's hour. */
  readonly recentRate: RecentHourlyRate | null
  /** At endsAt; null before the start and while there is no recent rate. */
  readonly projectedParticipants: ProjectedParticipants | null
}

export type PacingResult = { readonly pacing: PacingFigures } | { readonly unavailable: PacingUnavailable }

/** A rate as an exact fraction: participants per `hours` hours. */
interface Rate {
  readonly participants: bigint
  readonly hours: bigint
}

export function computePacing(input: PacingInput): PacingResult {
  const { startsAt, endsAt, expectedParticipants, asOf } = input
  if (startsAt === null || endsAt === null) {
    const missing = startsAt === null && endsAt === null ? 'startsAt and endsAt' : startsAt === null ? 'startsAt' : 'endsAt'
    return unavailable('NO_SCHEDULE', `the event has no schedule: its EventCreated gave no ${missing}`)
  }
  if (expectedParticipants === null || expectedParticipants <= 0) {
    return unavailable('NO_EXPECTED_PARTICIPANTS', 'the event has no expectedParticipants above 0 to pace against')
  }
  if (asOf === null) return unavailable('NO_AS_OF', 'no input of the event has been applied with a time yet')
  const base = { asOf, startsAt, endsAt, participants: input.participants, expectedParticipants }
  const durationMs = BigInt(endsAt.getTime() - startsAt.getTime())
  const elapsedMs = BigInt(Math.min(Math.max(asOf.getTime() - startsAt.getTime(), 0), endsAt.getTime() - startsAt.getTime()))
  const expectedSoFar = Number(divideHalfUp(BigInt(expectedParticipants) * elapsedMs, durationMs))
  const paced = {
    ...base,
    elapsedFraction: Number(divideHalfUp(elapsedMs * 10_000n, durationMs)) / 10_000,
    expectedSoFar,
    pacePercent: expectedSoFar === 0 ? null : formatDecimal(divideHalfUp(BigInt(input.participants) * 10_000n, BigInt(expectedSoFar)), 2),
  }
  if (asOf < startsAt) return { pacing: { ...paced, phase: 'NOT_STARTED', recentRate: null, projectedParticipants: null } }
  if (asOf >= endsAt || input.status !== 'ACTIVE') {
    const final = input.participants
    return { pacing: { ...paced, phase: 'ENDED', recentRate: null, projectedParticipants: { expected: final, low: final, high: final } } }
  }
  const recent = recentRate(input.hourly, startsAt, asOf)
  if (recent === null) return { pacing: { ...paced, phase: 'RUNNING', recentRate: null, projectedParticipants: null } }
  const msLeft = BigInt(endsAt.getTime() - asOf.getTime())
  const project = (rate: Rate): number =>
    input.participants + Number(divideHalfUp(rate.participants * msLeft, rate.hours * BigInt(HOUR_MS)))
  return {
    pacing: {
      ...paced,
      phase: 'RUNNING',
      recentRate: recent.display,
      projectedParticipants: { expected: project(recent.mean), low: project(recent.low), high: project(recent.high) },
    },
  }
}

function unavailable(reason: PacingUnavailableReason, detail: string): PacingResult {
  return { unavailable: { reason, detail } }
}

/** The whole UTC hours the recent rate is taken over: [from, to), or null when there is none. */
export function recentWindow(startsAt: Date, asOf: Date): { from: Date; to: Date } | null {
  const to = Math.floor(asOf.getTime() / HOUR_MS) * HOUR_MS
  const from = Math.max(to - PACING_RECENT_HOURS * HOUR_MS, Math.ceil(startsAt.getTime() / HOUR_MS) * HOUR_MS)
  return from < to ? { from: new Date(from), to: new Date(to) } : null
}

interface RecentRates {
  readonly mean: Rate
  readonly low: Rate
  readonly high: Rate
  readonly display: RecentHourlyRate
}

function recentRate(hourly: readonly HourlyParticipants[], startsAt: Date, asOf: Date): RecentRates | null {
  const window = recentWindow(startsAt, asOf)
  if (window === null) return null
  const hours = (window.to.getTime() - window.from.getTime()) / HOUR_MS
  const counts = new Array<number>(hours).fill(0)
  for (const row of hourly) {
    const index = (row.hour.getTime() - window.from.getTime()) / HOUR_MS
    if (Number.isInteger(index) && index >= 0 && index < hours) counts[index] = (counts[index] ?? 0) + row.participants
  }
  const sorted = [...counts].sort((a, b) => a - b)
  const quartile = (q: number): Rate => ({ participants: BigInt(sorted[Math.max(Math.ceil(q * hours) - 1, 0)] ?? 0), hours: 1n })
  const mean: Rate = { participants: BigInt(counts.reduce((sum, count) => sum + count, 0)), hours: BigInt(hours) }
  const low = lesser(quartile(0.25), mean)
  const high = greater(quartile(0.75), mean)
  const perHour = (rate: Rate): number => Math.round((Number(rate.participants) * 100) / Number(rate.hours)) / 100
  return {
    mean,
    low,
    high,
    display: { hours, from: window.from, to: window.to, perHour: perHour(mean), low: perHour(low), high: perHour(high) },
  }
}

function compareRates(a: Rate, b: Rate): number {
  const difference = a.participants * b.hours - b.participants * a.hours
  return difference < 0n ? -1 : difference > 0n ? 1 : 0
}

function lesser(a: Rate, b: Rate): Rate {
  return compareRates(a, b) <= 0 ? a : b
}

function greater(a: Rate, b: Rate): Rate {
  return compareRates(a, b) >= 0 ? a : b
}
