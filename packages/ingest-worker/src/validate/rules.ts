/**
 * Semantic rules of docs/SPEC.md section 3, checked after decoding. Pure: the clock is a parameter.
 * Each failure names its field, e.g. `channels[2].distributionCost must be >= 0`.
 */
import { parseDecimal, precisionOf } from '@event-analytics/contracts'

const MIN_OCCURRED_AT = Date.UTC(2000, 0, 1)
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000

export class FieldViolation extends Error {
  override name = 'FieldViolation'
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`)
  }
}

/** Length in characters (code points), as PostgreSQL's varchar counts them. */
function characters(value: string): number {
  let count = 0
  for (const _ of value) count += 1
  return count
}

export function requireText(field: string, value: unknown, min: number, max: number): string {
  if (typeof value !== 'string') throw new FieldViolation(field, 'must be a string')
  // PostgreSQL text cannot hold NUL; letting it through would poison the aggregator's batch.
  if (value.includes('\u0000')) throw new FieldViolation(field, 'must not contain a NUL character')
  // A string has at most as many characters as UTF-16 units and at least half as many (all of
  // them surrogate pairs): only one near a limit needs counting.
  if (value.length <= max && Math.ceil(value.length / 2) >= min) return value
  const length = characters(value)
  if (length < min || length > max) {
    throw new FieldViolation(field, `must be ${min}..${max} characters, got ${length}`)
  }
  return value
}

export function optionalText(field: string, value: unknown, min: number, max: number): string | null {
  return value === null || value === undefined ? null : requireText(field, value, min, max)
}

interface DecimalRule {
  readonly precision: number
  readonly scale: number
  readonly nonNegative: boolean
}

export function requireDecimal(field: string, value: unknown, rule: DecimalRule): string {
  if (typeof value !== 'string') throw new FieldViolation(field, 'must be a decimal')
  const unscaled = parseDecimal(value, rule.scale)
  if (precisionOf(unscaled) > rule.precision) {
    throw new FieldViolation(field, `exceeds decimal(${rule.precision},${rule.scale}): ${value}`)
  }
  if (rule.nonNegative && unscaled < 0n) throw new FieldViolation(field, `must be >= 0, got ${value}`)
  return value
}

export function optionalDecimal(field: string, value: unknown, rule: DecimalRule): string | null {
  return value === null || value === undefined ? null : requireDecimal(field, value, rule)
}

export const MONEY: DecimalRule = { precision: 15, scale: 2, nonNegative: true }
export const RATE: DecimalRule = { precision: 10, scale: 2, nonNegative: false }

export function requireOccurredAt(value: unknown, now: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new FieldViolation('occurredAt', 'must be an integer timestamp in milliseconds')
  }
  if (value < MIN_OCCURRED_AT) {
    throw new FieldViolation('occurredAt', `is before 2000-01-01: ${new Date(value).toISOString()}`)
  }
  if (value > now + MAX_FUTURE_MS) {
    throw new FieldViolation('occurredAt', `is more than 24 h in the future: ${new Date(value).toISOString()}`)
  }
  return value
}

export function optionalCount(field: string, value: unknown): number | null {
  if (value === null || value === undefined) return null
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new FieldViolation(field, `must be >= 0, got ${String(value)}`)
  }
  return value
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new FieldViolation(field, `must be one of ${allowed.join(', ')}, got ${String(value)}`)
  }
  return value as T
}

/** A schedule instant (timestamp-millis), or null when the writer gave none. */
export function optionalInstant(field: string, value: unknown): number | null {
  if (value === null || value === undefined) return null
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new FieldViolation(field, 'must be an integer timestamp in milliseconds')
  }
  if (value < MIN_OCCURRED_AT) throw new FieldViolation(field, `is before 2000-01-01: ${new Date(value).toISOString()}`)
  if (value > MAX_INSTANT) throw new FieldViolation(field, `is after 9999-12-31: ${String(value)}`)
  return value
}

/** PostgreSQL's timestamptz ends in year 294276; JavaScript's Date is the tighter bound here. */
const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/**
 * The schedule of an EventCreated: either end may be missing (an open schedule), but when both
 * are given the event must last, so endsAt is strictly after startsAt.
 */
export function optionalSchedule(startsAtValue: unknown, endsAtValue: unknown): { startsAt: number | null; endsAt: number | null } {
  const startsAt = optionalInstant('startsAt', startsAtValue)
  const endsAt = optionalInstant('endsAt', endsAtValue)
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
    throw new FieldViolation(
      'endsAt',
      `must be after startsAt, got startsAt ${new Date(startsAt).toISOString()} and endsAt ${new Date(endsAt).toISOString()}`,
    )
  }
  return { startsAt, endsAt }
}
