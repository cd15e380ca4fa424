/**
 * docs/SPEC.md section 6 as pure functions over exact decimals: money and rates are unscaled bigints
 * at scale 2 (cents / hundredths of a percent), rendered as strings with two fraction digits.
 * A zero denominator gives null, never NaN or Infinity.
 */
import { divideHalfUp, formatDecimal, parseDecimal } from '@event-analytics/contracts'
import type { DecimalString } from '@event-analytics/contracts'

export const SCALE = 2
/** Percent at scale 2: ratio x 100 (percent) x 100 (two fraction digits). */
const PERCENT_SCALED = 10_000n

export const money = (text: string): bigint => parseDecimal(text, SCALE)
export const render = (unscaled: bigint): DecimalString => formatDecimal(unscaled, SCALE)
export const renderOrNull = (unscaled: bigint | null): DecimalString | null => (unscaled === null ? null : render(unscaled))

/** part / whole x 100 with two decimals half-up; null when whole is 0. Counts are integers. */
export function percentOf(part: number | bigint, whole: number | bigint): bigint | null {
  const denominator = BigInt(whole)
  if (denominator === 0n) return null
  return divideHalfUp(BigInt(part) * PERCENT_SCALED, denominator)
}

/** expectedRevenue x totalParticipants / expectedParticipants when expectedParticipants > 0, else expectedRevenue. */
export function estimatedRevenue(expectedRevenue: bigint, totalParticipants: number, expectedParticipants: number | null): bigint {
  if (expectedParticipants === null || expectedParticipants <= 0) return expectedRevenue
  return divideHalfUp(expectedRevenue * BigInt(totalParticipants), BigInt(expectedParticipants))
}

/** (revenue - investment) / investment x 100, two decimals half-up; 0 when investment is 0. Signed. */
export function estimatedRoi(revenue: bigint, totalInvestment: bigint): bigint {
  if (totalInvestment === 0n) return 0n
  return divideHalfUp((revenue - totalInvestment) * PERCENT_SCALED, totalInvestment)
}

/** estimatedRoi / targetRoi x 100 (both percents at scale 2); null when targetRoi is 0. */
export function roiAchievementRate(roi: bigint, targetRoi: bigint): bigint | null {
  if (targetRoi === 0n) return null
  return divideHalfUp(roi * PERCENT_SCALED, targetRoi)
}

/** Money / count, two decimals half-up; null when count is 0. */
export function costPer(cost: bigint, count: number | bigint): bigint | null {
  const denominator = BigInt(count)
  if (denominator === 0n) return null
  return divideHalfUp(cost, denominator)
}
