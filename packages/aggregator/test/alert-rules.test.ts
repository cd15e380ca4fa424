/** The alert rules, pure: boundaries of each threshold, and a rule switched off wants nothing. */
import t from 'tap'
import { DEFAULT_ALERT_THRESHOLDS } from '@event-analytics/db'
import type { AlertChannelFacts, AlertEventFacts, EventPacing } from '@event-analytics/db'
import { wantedAlerts } from '../src/alerts/rules.js'

const HOUR_MS = 3_600_000
const NOW = new Date('2026-12-01T12:00:00Z')
const ago = (ms: number): Date => new Date(NOW.getTime() - ms)

function channel(name: string, overrides: Partial<AlertChannelFacts> = {}): AlertChannelFacts {
  return {
    channelName: name,
    channelType: 'SNS',
    participants: 1,
    distributionCount: 1,
    distributionCost: '0.00',
    lastParticipantAt: ago(HOUR_MS),
    createdAt: ago(24 * HOUR_MS),
    metricsAsOf: null,
    providerState: null,
    providerChangedAt: null,
    ...overrides,
  }
}

function event(channels: AlertChannelFacts[], overrides: Partial<AlertEventFacts> = {}): AlertEventFacts {
  return {
    eventId: 'ev',
    userId: 'owner',
    status: 'ACTIVE',
    totalInvestment: '0.00',
    totalParticipants: channels.reduce((sum, c) => sum + c.participants, 0),
    targetRoi: '0.00',
    pacing: null,
    thresholds: DEFAULT_ALERT_THRESHOLDS,
    channels,
    ...overrides,
  }
}

const keys = (facts: AlertEventFacts): string[] => wantedAlerts(facts, NOW).map((a) => `${a.rule}:${a.channelName ?? ''}`)

t.test('channel_silent: exactly N hours is silent, a minute less is not; only distributed channels', async (t) => {
  const active = channel('A')
  t.same(keys(event([active, channel('B', { lastParticipantAt: ago(6 * HOUR_MS) })])), ['channel_silent:B'])
  t.same(keys(event([active, channel('B', { lastParticipantAt: ago(6 * HOUR_MS - 60_000) })])), [])
  t.same(keys(event([active, channel('B', { lastParticipantAt: ago(7 * HOUR_MS), distributionCount: 0 })])), [], 'never distributed')
  t.same(keys(event([active, channel('B', { lastParticipantAt: ago(7 * HOUR_MS) })], { status: 'ENDED' })), [], 'event not ACTIVE')
  t.same(
    keys(event([channel('A', { lastParticipantAt: ago(7 * HOUR_MS) }), channel('B', { lastParticipantAt: ago(7 * HOUR_MS) })])),
    [],
    'no other channel brought anyone in the window',
  )
  const off = { ...DEFAULT_ALERT_THRESHOLDS, channel_silent_enabled: false }
  t.same(keys(event([active, channel('B', { lastParticipantAt: ago(7 * HOUR_MS) })], { thresholds: off })), [], 'switched off')
})

t.test('channel_cost_high: strictly above k x, both defined', async (t) => {
  // Event 300.00 over 3 participants = 100.00 each; A: 200.00 for 1 = exactly 2 x.
  const at = (cost: string) =>
    event([channel('A', { distributionCost: cost }), channel('B', { participants: 2 })], { totalInvestment: '300.00' })
  t.same(keys(at('200.00')), [])
  t.same(keys({ ...at('200.01'), totalInvestment: '300.00' }), ['channel_cost_high:A'])
  t.same(
    keys(event([channel('A', { distributionCost: '5.00', participants: 0 })], { totalInvestment: '5.00' })),
    [],
    'no participants: undefined',
  )
  const factor = { ...DEFAULT_ALERT_THRESHOLDS, channel_cost_factor: '1.50' }
  t.same(keys({ ...at('150.01'), thresholds: factor }), ['channel_cost_high:A'], "the owner's factor")
})

t.test('provider_stale: a snapshot M minutes old, or a breaker unhealthy for M minutes', async (t) => {
  const M = 60 * 60_000
  t.same(keys(event([channel('A', { metricsAsOf: ago(M) })])), ['provider_stale:A'])
  t.same(keys(event([channel('A', { metricsAsOf: ago(M - 1000) })])), [])
  t.same(keys(event([channel('A', { providerState: 'open', providerChangedAt: ago(M) })])), ['provider_stale:A'])
  t.same(keys(event([channel('A', { providerState: 'half-open', providerChangedAt: ago(M - 1000) })])), [])
  t.same(keys(event([channel('A', { providerState: 'closed', providerChangedAt: ago(2 * M) })])), [], 'a healthy provider')
  t.same(keys(event([channel('A', { metricsAsOf: ago(M), channelType: null })])), [], 'an untyped channel has no provider')
})

function pacing(participants: number, expectedSoFar: number, overrides: Partial<EventPacing> = {}): EventPacing {
  return {
    asOf: NOW,
    startsAt: ago(24 * HOUR_MS),
    endsAt: new Date(NOW.getTime() + 24 * HOUR_MS),
    phase: 'RUNNING',
    elapsedFraction: 0.5,
    participants,
    expectedParticipants: expectedSoFar * 2,
    expectedSoFar,
    pacePercent: null,
    recentRate: null,
    projectedParticipants: null,
    projectedRoi: null,
    ...overrides,
  }
}

t.test('pace_low: participants strictly below ratio x expected so far, while RUNNING', async (t) => {
  // Default ratio 0.80: 80 of 100 is on pace, 79 is not.
  t.same(keys(event([], { pacing: pacing(80, 100) })), [])
  t.same(keys(event([], { pacing: pacing(79, 100) })), ['pace_low:'])
  t.same(keys(event([], { pacing: pacing(0, 0) })), [], 'nothing expected yet')
  t.same(keys(event([], { pacing: pacing(10, 100, { phase: 'NOT_STARTED' }) })), [], 'not started')
  t.same(keys(event([], { pacing: pacing(10, 100), status: 'ENDED' })), [], 'event not ACTIVE')
  const strict = { ...DEFAULT_ALERT_THRESHOLDS, pace_ratio: '0.95' }
  t.same(keys(event([], { pacing: pacing(94, 100), thresholds: strict })), ['pace_low:'], "the owner's ratio")
  t.same(keys(event([], { pacing: pacing(10, 100), thresholds: { ...strict, pace_low_enabled: false } })), [], 'switched off')
})

t.test('roi_projected_low: the expected projection below a target, compared exactly', async (t) => {
  const projected = (expected: string) => pacing(100, 100, { projectedRoi: { expected, low: '-50.00', high: '90.00' } })
  t.same(keys(event([], { targetRoi: '50.00', pacing: projected('49.99') })), ['roi_projected_low:'])
  t.same(keys(event([], { targetRoi: '50.00', pacing: projected('50.00') })), [], 'at the target')
  t.same(keys(event([], { targetRoi: '0.00', pacing: projected('-10.00') })), [], 'no target')
  t.same(keys(event([], { targetRoi: '50.00', pacing: pacing(100, 100) })), [], 'no projection yet')
  const found = wantedAlerts(event([], { targetRoi: '50.00', pacing: projected('-12.34') }), NOW)
  t.same(found[0]?.details, { targetRoi: '50.00', projectedRoi: '-12.34', projectedRoiLow: '-50.00', projectedRoiHigh: '90.00' })
})
