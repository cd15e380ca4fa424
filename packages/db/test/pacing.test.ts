import t from 'tap'
import { computePacing, recentWindow, type PacingFigures, type PacingInput } from '../src/pacing/pacing.js'

const HOUR_MS = 3_600_000
const startsAt = new Date(Date.UTC(2026, 10, 1, 0))
const endsAt = new Date(startsAt.getTime() + 100 * HOUR_MS)

function input(overrides: Partial<PacingInput>): PacingInput {
  return { status: 'ACTIVE', startsAt, endsAt, expectedParticipants: 1000, participants: 0, asOf: startsAt, hourly: [], ...overrides }
}

function paced(overrides: Partial<PacingInput>): PacingFigures {
  const result = computePacing(input(overrides))
  if (!('pacing' in result)) throw new Error(`expected pacing, got ${JSON.stringify(result)}`)
  return result.pacing
}

/** `counts[i]` participants in the i-th hour before `to` (counts[0] the earliest). */
function hours(to: Date, counts: readonly number[]) {
  return counts.map((participants, index) => ({ hour: new Date(to.getTime() - (counts.length - index) * HOUR_MS), participants }))
}

t.test('no schedule, an open schedule or no expected participants: no pacing, and the reason', async (t) => {
  t.match(computePacing(input({ startsAt: null, endsAt: null })), { unavailable: { reason: 'NO_SCHEDULE', detail: /startsAt and endsAt/ } })
  t.match(computePacing(input({ endsAt: null })), { unavailable: { reason: 'NO_SCHEDULE', detail: /gave no endsAt$/ } })
  t.match(computePacing(input({ expectedParticipants: null })), { unavailable: { reason: 'NO_EXPECTED_PARTICIPANTS' } })
  t.match(computePacing(input({ expectedParticipants: 0 })), { unavailable: { reason: 'NO_EXPECTED_PARTICIPANTS' } })
  t.match(computePacing(input({ asOf: null })), { unavailable: { reason: 'NO_AS_OF' } })
})

t.test('zero elapsed: expected so far 0, no pace percentage, no recent hour to project from', async (t) => {
  const pacing = paced({ participants: 5 })
  t.match(pacing, {
    phase: 'RUNNING',
    elapsedFraction: 0,
    expectedSoFar: 0,
    pacePercent: null,
    recentRate: null,
    projectedParticipants: null,
  })
})

t.test('before startsAt: not started, nothing expected, no projection', async (t) => {
  const pacing = paced({ asOf: new Date(startsAt.getTime() - HOUR_MS), participants: 3 })
  t.match(pacing, { phase: 'NOT_STARTED', elapsedFraction: 0, expectedSoFar: 0, participants: 3, projectedParticipants: null })
})

t.test('running: expected so far by elapsed fraction, projection from the recent hourly rate and its quartiles', async (t) => {
  const asOf = new Date(startsAt.getTime() + 40 * HOUR_MS + 30 * 60_000) // 40.5 h of 100
  const to = new Date(startsAt.getTime() + 40 * HOUR_MS)
  // 24 recent hours: 12 of 8, 12 of 12 -> mean 10, lower quartile 8, upper quartile 12
  const counts = [...Array<number>(12).fill(8), ...Array<number>(12).fill(12)]
  const pacing = paced({ asOf, participants: 324, hourly: [...hours(to, counts), { hour: to, participants: 4 }] })
  t.equal(pacing.elapsedFraction, 0.405)
  t.equal(pacing.expectedSoFar, 405)
  t.equal(pacing.pacePercent, '80.00')
  t.match(pacing.recentRate, { hours: 24, perHour: 10, low: 8, high: 12, to })
  // 59.5 h left: 324 + 595, 324 + 476, 324 + 714
  t.strictSame(pacing.projectedParticipants, { expected: 919, low: 800, high: 1038 })
})

t.test('the recent window starts no earlier than startsAt and holds only whole hours before asOf', async (t) => {
  const asOf = new Date(startsAt.getTime() + 3 * HOUR_MS + 59 * 60_000)
  t.strictSame(recentWindow(startsAt, asOf), { from: startsAt, to: new Date(startsAt.getTime() + 3 * HOUR_MS) })
  const lateStart = new Date(startsAt.getTime() + 10 * 60_000)
  t.equal(recentWindow(lateStart, new Date(startsAt.getTime() + 80 * 60_000)), null, 'the first whole hour is not over yet')
  const pacing = paced({ asOf, participants: 30, hourly: hours(new Date(startsAt.getTime() + 3 * HOUR_MS), [10, 10, 10]) })
  t.match(pacing.recentRate, { hours: 3, perHour: 10 })
  t.equal(pacing.projectedParticipants?.expected, 30 + Math.round(10 * (100 - 3 - 59 / 60)))
})

t.test('no recent data: a zero rate projects the current count', async (t) => {
  const asOf = new Date(startsAt.getTime() + 50 * HOUR_MS)
  const pacing = paced({ asOf, participants: 200, hourly: [{ hour: startsAt, participants: 200 }] })
  t.match(pacing.recentRate, { hours: 24, perHour: 0, low: 0, high: 0 })
  t.strictSame(pacing.projectedParticipants, { expected: 200, low: 200, high: 200 })
  t.equal(pacing.pacePercent, '40.00')
})

t.test('a burst: the range always holds the mean projection', async (t) => {
  const asOf = new Date(startsAt.getTime() + 30 * HOUR_MS)
  const pacing = paced({ asOf, participants: 240, hourly: [{ hour: new Date(asOf.getTime() - HOUR_MS), participants: 240 }] })
  t.match(pacing.recentRate, { perHour: 10, low: 0, high: 10 })
  t.strictSame(pacing.projectedParticipants, { expected: 240 + 700, low: 240, high: 940 })
})

t.test('past endsAt: ended, the projection is the final count', async (t) => {
  const pacing = paced({ asOf: new Date(endsAt.getTime() + 5 * HOUR_MS), participants: 1234 })
  t.match(pacing, { phase: 'ENDED', elapsedFraction: 1, expectedSoFar: 1000, pacePercent: '123.40', recentRate: null })
  t.strictSame(pacing.projectedParticipants, { expected: 1234, low: 1234, high: 1234 })
  t.equal(paced({ asOf: endsAt, participants: 1 }).phase, 'ENDED', 'endsAt itself is the end')
})

t.test('an event ENDED or ARCHIVED before its schedule ends is over: final figures, no projection', async (t) => {
  const asOf = new Date(startsAt.getTime() + 40 * HOUR_MS)
  const recent = hours(new Date(startsAt.getTime() + 40 * HOUR_MS), [5, 5, 5])
  t.equal(paced({ asOf, participants: 300, hourly: recent }).phase, 'RUNNING', 'ACTIVE: still running')
  for (const status of ['ENDED', 'ARCHIVED'] as const) {
    const pacing = paced({ status, asOf, participants: 300, hourly: recent })
    t.match(pacing, { phase: 'ENDED', expectedSoFar: 400, pacePercent: '75.00', recentRate: null }, status)
    t.strictSame(pacing.projectedParticipants, { expected: 300, low: 300, high: 300 }, `${status}: the count is final`)
  }
})

t.test('large counts stay exact', async (t) => {
  const asOf = new Date(startsAt.getTime() + HOUR_MS * 33 + 1)
  const pacing = paced({ asOf, expectedParticipants: 2_147_483_647, participants: 0 })
  t.equal(
    pacing.expectedSoFar,
    Number((2_147_483_647n * BigInt(HOUR_MS * 33 + 1) * 2n + BigInt(100 * HOUR_MS)) / (2n * BigInt(100 * HOUR_MS))),
  )
})
