/**
 * Sums never overflow for inputs that pass validation, API side: projection rows
 * holding the largest values the aggregator can store (migration 0003's widths) are served by
 * the dashboard, ROI, channel and owner views with every figure equal to an independent
 * bigint reference, and never a 5xx. The rows hold only the primitive columns; their figures are
 * stored by the aggregator's own write (figures_refresh_events, packages/db migration 0006), so the
 * reference checks the one implementation end to end.
 */
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import fc from 'fast-check'
import type { ChannelTypeValue, NewChannelStats, NewEventStats } from '@event-analytics/db'
import { bearer, createHarness, storeFigures } from './helpers.js'

/** Fixed by default so every run is the same; PROPERTY_SEED explores others. Printed, so a failure can be repeated. */
const PROPERTY_SEED = Number(process.env['PROPERTY_SEED'] ?? 20261206)
t.comment(`property seed ${PROPERTY_SEED} (PROPERTY_SEED=${PROPERTY_SEED} repeats this run)`)

/** 9999999999999.99 in cents: the largest value decimal(15,2) lets one message carry. */
const MAX_MONEY = 999_999_999_999_999n
const MAX_INT = 2 ** 31 - 1
const SAFE = BigInt(Number.MAX_SAFE_INTEGER)
/** An event's distribution cost after 50 x (2^53 - 1) distributions of the largest value. */
const LIFETIME_MONEY = 50n * SAFE * MAX_MONEY
const EVENTS = 3
const CHANNELS = ['GENIE_TV', 'INSTAGRAM', 'KAKAO']
/**
 * Counts the API serves as JSON numbers, summed over at most EVENTS x CHANNELS rows and, for
 * engagement, 3 counters: kept so those sums stay exact integers (at most Number.MAX_SAFE_INTEGER).
 */
const CHANNEL_COUNTER = SAFE / BigInt(EVENTS * CHANNELS.length * 3)
const EVENT_PARTICIPANTS = SAFE / BigInt(EVENTS)

// --- the reference: plain bigint arithmetic on cents, written apart from src/projections ---
const cents = (text: string): bigint => {
  const [whole = '0', fraction = ''] = text.split('.')
  const negative = whole.startsWith('-')
  const value = BigInt(whole.replace('-', '')) * 100n + BigInt(fraction.padEnd(2, '0'))
  return negative ? -value : value
}
const text = (value: bigint): string => {
  const abs = value < 0n ? -value : value
  return `${value < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
}
/** n / d rounded half away from zero; d may be negative (a negative target ROI). */
const roundDiv = (n: bigint, d: bigint): bigint => {
  if (d < 0n) return roundDiv(-n, -d)
  const q = ((n < 0n ? -n : n) * 2n + d) / (2n * d)
  return n < 0n ? -q : q
}
const rate = (part: bigint, whole: bigint): string | null => (whole === 0n ? null : text(roundDiv(part * 10_000n, whole)))
const per = (cost: bigint, count: bigint): string | null => (count === 0n ? null : text(roundDiv(cost, count)))

function figures(own: bigint, distribution: bigint, expectedRevenue: bigint, expected: number | null, participants: bigint) {
  const investment = own + distribution
  const revenue = expected !== null && expected > 0 ? roundDiv(expectedRevenue * participants, BigInt(expected)) : expectedRevenue
  const roi = investment === 0n ? 0n : roundDiv((revenue - investment) * 10_000n, investment)
  return { investment, revenue, roi }
}

// --- generated rows ---
const extreme = (max: bigint) => fc.oneof(fc.constant(0n), fc.constant(1n), fc.constant(max), fc.bigInt({ min: 0n, max }))
const money15 = fc.oneof(fc.constantFrom(0n, 1n, MAX_MONEY), fc.bigInt({ min: 0n, max: MAX_MONEY }))

interface ChannelSeed {
  name: string
  type: ChannelTypeValue | null
  participants: bigint
  count: bigint
  cost: bigint
  impressions: bigint
  views: bigint
  clicks: bigint
  conversions: bigint
  likes: bigint
  comments: bigint
  shares: bigint
  totalCalls: bigint
  completedCalls: bigint
}
interface EventSeed {
  own: bigint
  expectedRevenue: bigint
  expected: number | null
  participants: bigint
  targetRoi: string
  channels: ChannelSeed[]
}

const channelArb: fc.Arbitrary<ChannelSeed> = fc
  .record({
    name: fc.constantFrom(...CHANNELS),
    type: fc.constantFrom<ChannelTypeValue | null>('TV', 'SNS', 'VOICE', null),
    participants: extreme(CHANNEL_COUNTER),
    count: extreme(CHANNEL_COUNTER),
    cost: extreme(LIFETIME_MONEY / BigInt(CHANNELS.length)),
    impressions: extreme(CHANNEL_COUNTER),
    views: extreme(CHANNEL_COUNTER),
    clicks: extreme(CHANNEL_COUNTER),
    conversions: extreme(CHANNEL_COUNTER),
    likes: extreme(CHANNEL_COUNTER),
    comments: extreme(CHANNEL_COUNTER),
    shares: extreme(CHANNEL_COUNTER),
    totalCalls: extreme(CHANNEL_COUNTER),
    completedShare: fc.bigInt({ min: 0n, max: 100n }),
  })
  .map(({ completedShare, ...channel }) => ({ ...channel, completedCalls: (channel.totalCalls * completedShare) / 100n }))

const eventArb: fc.Arbitrary<EventSeed> = fc.record({
  own: money15,
  expectedRevenue: money15,
  expected: fc.option(fc.constantFrom(0, 1, 2, 3, MAX_INT)),
  participants: extreme(EVENT_PARTICIPANTS),
  targetRoi: fc.constantFrom('99999999.99', '-99999999.99', '0.01', '0.00'),
  channels: fc.uniqueArray(channelArb, { selector: (c) => c.name, maxLength: CHANNELS.length }),
})

const h = await createHarness(t)
const { db } = h.testDb
const created = new Date('2026-03-01T00:00:00Z')

function eventRow(owner: string, eventId: string, seed: EventSeed, index: number): NewEventStats {
  const distribution = seed.channels.reduce((sum, c) => sum + c.cost, 0n)
  return {
    event_id: eventId,
    user_id: owner,
    title: `Max ${index}`,
    event_created_at: new Date(created.getTime() + index * 1000),
    own_investment: text(seed.own),
    distribution_cost: text(distribution),
    expected_revenue: text(seed.expectedRevenue),
    expected_participants: seed.expected,
    target_roi: seed.targetRoi,
    total_participants: Number(seed.participants),
  }
}

function channelRow(eventId: string, c: ChannelSeed): NewChannelStats {
  return {
    event_id: eventId,
    channel_name: c.name,
    channel_type: c.type,
    participants: Number(c.participants),
    distribution_count: Number(c.count),
    distribution_cost: text(c.cost),
    impressions: Number(c.impressions),
    views: Number(c.views),
    clicks: Number(c.clicks),
    conversions: Number(c.conversions),
    likes: Number(c.likes),
    comments: Number(c.comments),
    shares: Number(c.shares),
    total_calls: Number(c.totalCalls),
    completed_calls: Number(c.completedCalls),
  }
}

function expectedChannel(c: ChannelSeed) {
  return {
    channelName: c.name,
    channelType: c.type,
    participants: Number(c.participants),
    distributionCount: Number(c.count),
    distributionCost: text(c.cost),
    views: Number(c.views),
    engagement: Number(c.likes + c.comments + c.shares),
    ctr: rate(c.clicks, c.impressions),
    participationRate: rate(c.participants, c.views),
    conversionRate: rate(c.conversions, c.clicks),
    costPerParticipant: per(c.cost, c.participants),
    callCompletionRate: rate(c.completedCalls, c.totalCalls),
  }
}

function expectedEvent(seed: EventSeed) {
  const distribution = seed.channels.reduce((sum, c) => sum + c.cost, 0n)
  const { investment, revenue, roi } = figures(seed.own, distribution, seed.expectedRevenue, seed.expected, seed.participants)
  const target = cents(seed.targetRoi)
  return {
    distribution,
    investment,
    revenue,
    roi,
    summary: {
      totalParticipants: Number(seed.participants),
      totalViews: Number(seed.channels.reduce((sum, c) => sum + c.views, 0n)),
      totalInvestment: text(investment),
      expectedRevenue: text(seed.expectedRevenue),
      estimatedRevenue: text(revenue),
      estimatedRoi: text(roi),
      targetRoi: text(target),
      roiAchievementRate: target === 0n ? null : text(roundDiv(roi * 10_000n, target)),
      salesGrowthRate: null,
    },
  }
}

const pick = <T extends object>(value: T, keys: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(keys.map((key) => [key, (value as Record<string, unknown>)[key]]))

let run = 0
t.test('the largest storable figures are served exactly by every view', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: EVENTS }), async (seeds) => {
      run += 1
      const owner = `owner-${run}`
      const ids = seeds.map((_seed, index) => `wide-${run}-${index}`)
      await db
        .insertInto('event_stats')
        .values(seeds.map((seed, index) => eventRow(owner, ids[index]!, seed, index)))
        .execute()
      const channels = seeds.flatMap((seed, index) => seed.channels.map((c) => channelRow(ids[index]!, c)))
      if (channels.length > 0) await db.insertInto('channel_stats').values(channels).execute()
      await storeFigures(db, ids)
      const token = await h.token(owner)
      const get = async (url: string): Promise<Record<string, unknown>> => {
        const response = await h.app.inject({ method: 'GET', url, headers: bearer(token) })
        if (response.statusCode !== 200) throw new Error(`${url} -> ${response.statusCode} ${response.body}`)
        return response.json()
      }
      let ok = true
      const same = (actual: unknown, expected: unknown, message: string): void => {
        // Only a difference is reported (with its diff); fast-check then stops the run.
        if (isDeepStrictEqual(actual, expected)) return
        t.strictSame(actual, expected, message)
        ok = false
      }
      for (const [index, seed] of seeds.entries()) {
        const id = ids[index]!
        const wanted = expectedEvent(seed)
        const sorted = [...seed.channels].sort((a, b) => (a.name < b.name ? -1 : 1)).map(expectedChannel)
        const dashboard = await get(`/api/v1/events/${id}/analytics`)
        same(dashboard['summary'], wanted.summary, 'dashboard summary')
        const dashboardKeys = [
          'channelName',
          'channelType',
          'participants',
          'views',
          'distributionCost',
          'participationRate',
          'costPerParticipant',
        ]
        same(
          (dashboard['channels'] as object[]).map((c) => pick(c, dashboardKeys)),
          sorted.map((c) => pick(c, dashboardKeys)),
          'dashboard channels',
        )
        const roi = await get(`/api/v1/events/${id}/analytics/roi`)
        same(
          roi,
          {
            eventId: id,
            investment: {
              ownInvestment: text(seed.own),
              distributionCost: text(wanted.distribution),
              totalInvestment: text(wanted.investment),
              channels: sorted.map((c) => pick(c, ['channelName', 'channelType', 'distributionCount', 'distributionCost'])),
            },
            revenue: {
              expectedRevenue: text(seed.expectedRevenue),
              estimatedRevenue: text(wanted.revenue),
              expectedParticipants: seed.expected,
              totalParticipants: Number(seed.participants),
            },
            estimatedRoi: wanted.summary.estimatedRoi,
            targetRoi: wanted.summary.targetRoi,
            roiAchievementRate: wanted.summary.roiAchievementRate,
            salesGrowthRate: null,
            asOf: null,
          },
          'roi view',
        )
        const listed = await get(`/api/v1/events/${id}/analytics/channels`)
        const channelKeys = Object.keys(sorted[0] ?? {})
        same(
          (listed['channels'] as object[]).map((c) => pick(c, channelKeys)),
          sorted,
          'channel table',
        )
      }
      const user = await get(`/api/v1/users/${owner}/analytics`)
      const events = seeds.map(expectedEvent)
      const investment = events.reduce((sum, e) => sum + e.investment, 0n)
      const revenue = events.reduce((sum, e) => sum + e.revenue, 0n)
      same(
        user['totals'],
        {
          events: seeds.length,
          totalParticipants: Number(seeds.reduce((sum, s) => sum + s.participants, 0n)),
          totalViews: Number(seeds.reduce((sum, s) => sum + s.channels.reduce((v, c) => v + c.views, 0n), 0n)),
          totalInvestment: text(investment),
          expectedRevenue: text(seeds.reduce((sum, s) => sum + s.expectedRevenue, 0n)),
          estimatedRevenue: text(revenue),
          estimatedRoi: text(investment === 0n ? 0n : roundDiv((revenue - investment) * 10_000n, investment)),
        },
        'owner totals',
      )
      const byType = new Map<ChannelTypeValue | null, ChannelSeed[]>()
      for (const c of seeds.flatMap((s) => s.channels)) byType.set(c.type, [...(byType.get(c.type) ?? []), c])
      const typeOrder = (type: ChannelTypeValue | null): string => type ?? '\uffff'
      same(
        user['channelTypes'],
        [...byType]
          .sort(([a], [b]) => (typeOrder(a) < typeOrder(b) ? -1 : 1))
          .map(([type, rows]) => {
            const sum = (field: keyof ChannelSeed): bigint => rows.reduce((total, row) => total + (row[field] as bigint), 0n)
            return {
              channelType: type,
              channels: rows.length,
              participants: Number(sum('participants')),
              views: Number(sum('views')),
              impressions: Number(sum('impressions')),
              clicks: Number(sum('clicks')),
              conversions: Number(sum('conversions')),
              engagement: Number(sum('likes') + sum('comments') + sum('shares')),
              distributionCost: text(sum('cost')),
              ctr: rate(sum('clicks'), sum('impressions')),
              participationRate: rate(sum('participants'), sum('views')),
              conversionRate: rate(sum('conversions'), sum('clicks')),
              costPerParticipant: per(sum('cost'), sum('participants')),
              callCompletionRate: rate(sum('completedCalls'), sum('totalCalls')),
            }
          }),
        'owner per channel type',
      )
      return ok
    }),
    { numRuns: 25, endOnFailure: true, seed: PROPERTY_SEED },
  )
  t.same(h.serverErrors, [], 'no 5xx')
})
