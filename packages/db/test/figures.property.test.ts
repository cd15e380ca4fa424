/**
 * The one implementation of docs/SPEC.md section 6 (the figures_* SQL functions, migration 0006)
 * against an independent reference written here from the SPEC text in BigInt rational
 * arithmetic, over random inputs up to the column limits (migration 0003's bounds), zero
 * denominators, negative ROIs and targets, and exact ties at half a hundredth. Both the scalar
 * functions the API's reads call and the stored columns figures_refresh_events writes.
 */
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import type { Test } from 'tap'
import fc from 'fast-check'
import { sql } from 'kysely'
import type { RawBuilder } from 'kysely'
import { refreshEventFigures } from '../src/index.js'
import { createTestDatabase } from '../src/testing/index.js'

/** Fixed by default so every run is the same; PROPERTY_SEED explores others. Printed, so a failure can be repeated. */
const PROPERTY_SEED = Number(process.env['PROPERTY_SEED'] ?? 20261206)
t.comment(`property seed ${PROPERTY_SEED} (PROPERTY_SEED=${PROPERTY_SEED} repeats this run)`)

const { db } = await createTestDatabase(t)
const seed = PROPERTY_SEED

// --- bounds, in hundredths (cents) ---
const SAFE = BigInt(Number.MAX_SAFE_INTEGER)
/** decimal(15,2): the largest value one message carries. */
const MAX_MONEY = 999_999_999_999_999n
/** An event's distribution cost after 50 x (2^53 - 1) distributions of the largest value (0003). */
const LIFETIME_MONEY = 50n * SAFE * MAX_MONEY
const MAX_INT = 2 ** 31 - 1
/** target_roi is numeric(10,2), signed. */
const MAX_TARGET = 9_999_999_999n
/** estimated_roi is numeric(35,2). */
const MAX_ROI = 10n ** 35n - 1n

// --- the reference ---
/** num / den (a value in units) to two decimals, half away from zero, as hundredths. den <> 0. */
function toHundredths(num: bigint, den: bigint): bigint {
  const negative = num < 0n !== den < 0n && num !== 0n
  const n = (num < 0n ? -num : num) * 100n
  const d = den < 0n ? -den : den
  const whole = n / d
  const rest = n - whole * d
  const rounded = rest * 2n >= d ? whole + 1n : whole
  return negative ? -rounded : rounded
}
const text = (hundredths: bigint): string => {
  const abs = hundredths < 0n ? -hundredths : hundredths
  return `${hundredths < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
}
const orNull = (value: bigint | null): string | null => (value === null ? null : text(value))

/** SPEC: expectedRevenue x totalParticipants / expectedParticipants when > 0, else expectedRevenue. Cents in, cents out. */
function estimatedRevenue(expectedRevenue: bigint, participants: bigint, expected: number | null): bigint {
  if (expected === null || expected <= 0) return expectedRevenue
  return toHundredths(expectedRevenue * participants, BigInt(expected) * 100n)
}
/** SPEC: (revenue - investment) / investment x 100, 0 when investment is 0. Percent hundredths. */
function estimatedRoi(revenue: bigint, investment: bigint): bigint {
  return investment === 0n ? 0n : toHundredths((revenue - investment) * 100n, investment)
}
/** SPEC: roi / target x 100 (null when target is 0); both in hundredths of a percent. */
const achievement = (roi: bigint, target: bigint): bigint | null => (target === 0n ? null : toHundredths(roi * 100n, target))
/** SPEC: part / whole x 100, null for a zero denominator. */
const percent = (part: bigint, whole: bigint): bigint | null => (whole === 0n ? null : toHundredths(part * 100n, whole))
/** SPEC: cost / count, null for a zero denominator. Cost in cents. */
const costPer = (cost: bigint, count: bigint): bigint | null => (count === 0n ? null : toHundredths(cost, count * 100n))

// --- generators: the extremes first, then anything in range ---
const upTo = (max: bigint) => fc.oneof(fc.constantFrom(0n, 1n, max), fc.bigInt({ min: 0n, max }))
const signedUpTo = (max: bigint) => fc.oneof(fc.constantFrom(0n, 1n, -1n, max, -max), fc.bigInt({ min: -max, max }))
/** (part, whole) with part / whole x 10000 exactly k + 1/2: a tie on the last digit. */
const tie = fc
  .record({ unit: fc.bigInt({ min: 1n, max: 10n ** 9n }), odd: fc.bigInt({ min: 0n, max: 10n ** 6n }) })
  .map(({ unit, odd }) => ({ part: (2n * odd + 1n) * unit, whole: 20_000n * unit }))
const countPair = (max: bigint) => fc.oneof(fc.record({ part: upTo(max), whole: upTo(max) }), tie)

async function one<T>(query: RawBuilder<T>): Promise<T> {
  const { rows } = await query.execute(db)
  return rows[0]!
}
const num = (value: bigint): string => text(value)

/** Reports only a difference (with its diff); fast-check then shrinks and stops the run. */
function agrees(t: Test, actual: unknown, wanted: unknown, message: string): boolean {
  if (isDeepStrictEqual(actual, wanted)) return true
  t.strictSame(actual, wanted, message)
  return false
}

t.test('estimated revenue and ROI: exact, signed, half-up, 0 without investment', async (t) => {
  const arb = fc.record({
    expectedRevenue: upTo(MAX_MONEY),
    participants: upTo(SAFE),
    expected: fc.option(fc.oneof(fc.constantFrom(0, 1, 2, 3, MAX_INT), fc.integer({ min: 1, max: MAX_INT }))),
    investment: fc.oneof(
      upTo(LIFETIME_MONEY + MAX_MONEY),
      tie.map(({ whole }) => whole),
    ),
    roiTie: fc.boolean(),
  })
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      const revenue = estimatedRevenue(input.expectedRevenue, input.participants, input.expected)
      // A tie on the ROI's last digit: revenue - investment = investment x (odd / 20000).
      const roiRevenue = input.roiTie ? input.investment + (input.investment / 20_000n) * 3n : revenue
      const row = await one(sql<{ revenue: string; roi: string }>`
        SELECT figures_estimated_revenue(${num(input.expectedRevenue)}::numeric, ${input.participants.toString()}::bigint,
                 ${input.expected}::integer)::text AS revenue,
               figures_estimated_roi(${num(roiRevenue)}::numeric, ${num(input.investment)}::numeric)::text AS roi`)
      return agrees(t, row, { revenue: text(revenue), roi: text(estimatedRoi(roiRevenue, input.investment)) }, 'revenue and ROI')
    }),
    { numRuns: 300, seed, endOnFailure: true },
  )
  t.pass('300 samples agree')
})

t.test('achievement rate, rates and unit costs: null for a zero denominator', async (t) => {
  const arb = fc.record({
    roi: signedUpTo(MAX_ROI),
    target: signedUpTo(MAX_TARGET),
    counts: countPair(50n * SAFE),
    cost: upTo(LIFETIME_MONEY),
    buyers: upTo(50n * SAFE),
  })
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      const row = await one(sql<{ rate: string | null; pct: string | null; cost: string | null }>`
        SELECT figures_roi_achievement_rate(${num(input.roi)}::numeric, ${num(input.target)}::numeric)::text AS rate,
               figures_percent(${input.counts.part.toString()}::numeric, ${input.counts.whole.toString()}::numeric)::text AS pct,
               figures_cost_per(${num(input.cost)}::numeric, ${input.buyers.toString()}::numeric)::text AS cost`)
      const wanted = {
        rate: orNull(achievement(input.roi, input.target)),
        pct: orNull(percent(input.counts.part, input.counts.whole)),
        cost: orNull(costPer(input.cost, input.buyers)),
      }
      return agrees(t, row, wanted, 'achievement rate, percent, cost per')
    }),
    { numRuns: 300, seed, endOnFailure: true },
  )
  t.pass('300 samples agree')
})

let run = 0
t.test('the stored figures figures_refresh_events writes, up to the column widths', async (t) => {
  const arb = fc.record({
    own: upTo(MAX_MONEY),
    distribution: upTo(LIFETIME_MONEY),
    expectedRevenue: upTo(MAX_MONEY),
    expected: fc.option(fc.constantFrom(0, 1, 2, 3, MAX_INT)),
    participants: upTo(SAFE),
    views: fc.array(upTo(SAFE / 3n), { maxLength: 3 }),
  })
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      run += 1
      const eventId = `refresh-${run}`
      await db
        .insertInto('event_stats')
        .values({
          event_id: eventId,
          own_investment: num(input.own),
          distribution_cost: num(input.distribution),
          expected_revenue: num(input.expectedRevenue),
          expected_participants: input.expected,
          total_participants: Number(input.participants),
        })
        .execute()
      if (input.views.length > 0) {
        await db
          .insertInto('channel_stats')
          .values(input.views.map((views, index) => ({ event_id: eventId, channel_name: `C${index}`, views: Number(views) })))
          .execute()
      }
      const applied = await refreshEventFigures(db, [eventId, 'no-such-event'])
      const stored = await db
        .selectFrom('event_stats')
        .select(['total_investment', 'estimated_revenue', 'estimated_roi', 'total_views'])
        .where('event_id', '=', eventId)
        .executeTakeFirstOrThrow()
      const investment = input.own + input.distribution
      const revenue = estimatedRevenue(input.expectedRevenue, input.participants, input.expected)
      const wanted = {
        total_investment: text(investment),
        estimated_revenue: text(revenue),
        estimated_roi: text(estimatedRoi(revenue, investment)),
        total_views: Number(input.views.reduce((sum, views) => sum + views, 0n)),
      }
      return (
        agrees(t, stored, wanted, 'stored figures') &&
        agrees(t, applied, [{ eventId, userId: null }], 'existing events only, with their owner')
      )
    }),
    { numRuns: 100, seed, endOnFailure: true },
  )
  t.pass('100 events agree')
})
