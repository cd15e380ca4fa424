/**
 * The alert rules (docs/SPEC.md section 9a), pure: an event's facts and the time in, the alerts
 * that should be open out. The evaluator opens what is wanted and not open, and resolves what is
 * open and no longer wanted, so a rule never tracks state of its own.
 *
 * The rule table (ALERT_RULES) is the one place a rule is added.
 */
import { divideHalfUp, formatDecimal, parseDecimal } from '@event-analytics/contracts'
import type { AlertChannelFacts, AlertEventFacts, AlertFinding, AlertRuleValue, AlertThresholds } from '@event-analytics/db'

const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000

export interface AlertRule {
  readonly rule: AlertRuleValue
  readonly enabled: (thresholds: AlertThresholds) => boolean
  /** The findings of the rule for one event (the evaluator fills in the event and owner). */
  readonly evaluate: (event: AlertEventFacts, now: Date) => readonly Omit<AlertFinding, 'eventId' | 'userId' | 'rule'>[]
}

/**
 * A distributed channel with no participant for N hours while the event is ACTIVE and another
 * channel of the event brought one in that window (a quiet event as a whole is not the channel's fault).
 */
export const channelSilent: AlertRule = {
  rule: 'channel_silent',
  enabled: (thresholds) => thresholds.channel_silent_enabled,
  evaluate: (event, now) => {
    if (event.status !== 'ACTIVE') return []
    const hours = event.thresholds.channel_silent_hours
    const windowStart = now.getTime() - hours * HOUR_MS
    const active = event.channels.filter((channel) => (channel.lastParticipantAt?.getTime() ?? -Infinity) > windowStart)
    return event.channels
      .filter((channel) => channel.distributionCount > 0)
      .filter((channel) => silentSince(channel).getTime() <= windowStart)
      .filter((channel) => active.some((other) => other.channelName !== channel.channelName))
      .map((channel) => ({
        channelName: channel.channelName,
        details: {
          silentHours: hours,
          silentSince: silentSince(channel).toISOString(),
          lastParticipantAt: channel.lastParticipantAt?.toISOString() ?? null,
          activeChannels: active.length,
        },
      }))
  },
}

function silentSince(channel: AlertChannelFacts): Date {
  return channel.lastParticipantAt ?? channel.createdAt
}

/**
 * A channel's cost per participant above factor x the event's, both defined (participants > 0).
 * Compared exactly, on integers: cost_c / p_c > factor x investment / p_e.
 */
export const channelCostHigh: AlertRule = {
  rule: 'channel_cost_high',
  enabled: (thresholds) => thresholds.channel_cost_high_enabled,
  evaluate: (event) => {
    if (event.totalParticipants <= 0) return []
    const factorCents = parseDecimal(event.thresholds.channel_cost_factor, 2)
    const investmentCents = parseDecimal(event.totalInvestment, 2)
    const eventParticipants = BigInt(event.totalParticipants)
    return event.channels
      .filter((channel) => channel.participants > 0)
      .filter((channel) => {
        const costCents = parseDecimal(channel.distributionCost, 2)
        return costCents * eventParticipants * 100n > factorCents * investmentCents * BigInt(channel.participants)
      })
      .map((channel) => ({
        channelName: channel.channelName,
        details: {
          costFactor: event.thresholds.channel_cost_factor,
          channelCostPerParticipant: formatDecimal(
            divideHalfUp(parseDecimal(channel.distributionCost, 2), BigInt(channel.participants)),
            2,
          ),
          eventCostPerParticipant: formatDecimal(divideHalfUp(investmentCents, eventParticipants), 2),
        },
      }))
  },
}

/**
 * The metrics of a typed channel of an ACTIVE event are older than M minutes: its last snapshot
 * is (refreshes stopped), or its provider's breaker has been open or half-open that long.
 */
export const providerStale: AlertRule = {
  rule: 'provider_stale',
  enabled: (thresholds) => thresholds.provider_stale_enabled,
  evaluate: (event, now) => {
    if (event.status !== 'ACTIVE') return []
    const minutes = event.thresholds.provider_stale_minutes
    const cutoff = now.getTime() - minutes * MINUTE_MS
    return event.channels
      .filter((channel) => channel.channelType !== null)
      .filter((channel) => {
        const unhealthySince = channel.providerState !== null && channel.providerState !== 'closed' ? channel.providerChangedAt : null
        const snapshotOld = channel.metricsAsOf !== null && channel.metricsAsOf.getTime() <= cutoff
        return snapshotOld || (unhealthySince !== null && unhealthySince.getTime() <= cutoff)
      })
      .map((channel) => ({
        channelName: channel.channelName,
        details: {
          staleMinutes: minutes,
          channelType: channel.channelType,
          metricsAsOf: channel.metricsAsOf?.toISOString() ?? null,
          providerState: channel.providerState,
        },
      }))
  },
}

/**
 * Participants below `pace_ratio` x the expected count so far, while the schedule runs. Read from
 * the event's pacing as the dashboard shows it (at the event's asOf), so the alert and the pace
 * card never disagree. Compared exactly: participants x 100 < ratio (in hundredths) x expectedSoFar.
 */
export const paceLow: AlertRule = {
  rule: 'pace_low',
  enabled: (thresholds) => thresholds.pace_low_enabled,
  evaluate: (event) => {
    const pacing = event.pacing
    if (event.status !== 'ACTIVE' || pacing === null || pacing.phase !== 'RUNNING' || pacing.expectedSoFar <= 0) return []
    const ratio = parseDecimal(event.thresholds.pace_ratio, 2)
    if (BigInt(pacing.participants) * 100n >= ratio * BigInt(pacing.expectedSoFar)) return []
    return [
      {
        channelName: null,
        details: {
          paceRatio: event.thresholds.pace_ratio,
          participants: pacing.participants,
          expectedSoFar: pacing.expectedSoFar,
          pacePercent: pacing.pacePercent,
        },
      },
    ]
  },
}

/** The projected estimated ROI at endsAt (expected case) below the event's target ROI; no target (0) is never alerted. */
export const roiProjectedLow: AlertRule = {
  rule: 'roi_projected_low',
  enabled: (thresholds) => thresholds.roi_projected_low_enabled,
  evaluate: (event) => {
    const projected = event.pacing?.projectedRoi ?? null
    if (event.status !== 'ACTIVE' || event.pacing?.phase !== 'RUNNING' || projected === null) return []
    const target = parseDecimal(event.targetRoi, 2)
    if (target === 0n || parseDecimal(projected.expected, 2) >= target) return []
    return [
      {
        channelName: null,
        details: {
          targetRoi: event.targetRoi,
          projectedRoi: projected.expected,
          projectedRoiLow: projected.low,
          projectedRoiHigh: projected.high,
        },
      },
    ]
  },
}

export const ALERT_RULES: readonly AlertRule[] = [channelSilent, channelCostHigh, providerStale, paceLow, roiProjectedLow]

/** Every alert that should be open for `event` at `now`, under its owner's thresholds. */
export function wantedAlerts(event: AlertEventFacts, now: Date, rules: readonly AlertRule[] = ALERT_RULES): AlertFinding[] {
  return rules
    .filter((rule) => rule.enabled(event.thresholds))
    .flatMap((rule) =>
      rule.evaluate(event, now).map((found) => ({ eventId: event.eventId, userId: event.userId, rule: rule.rule, ...found })),
    )
}

/** The identity of an alert: at most one of it is open at a time. */
export function alertKey(alert: { readonly eventId: string; readonly rule: string; readonly channelName: string | null }): string {
  return JSON.stringify([alert.eventId, alert.rule, alert.channelName ?? ''])
}
