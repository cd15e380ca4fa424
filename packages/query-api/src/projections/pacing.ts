import type { EventPacingResult } from '@event-analytics/db'
import type { Pacing, PacingUnavailable } from '../wire/schemas.js'

/** The response's `method`: how every pacing figure is computed, so a reader need not guess. */
export const PACING_METHOD =
  "Computed at the event's asOf (its newest applied input), never later. expectedSoFar = expectedParticipants x the elapsed " +
  'fraction of [startsAt, endsAt]; pacePercent = participants / expectedSoFar x 100. The recent hourly rate is the mean of ' +
  'the hourly participant counts over the last 24 whole UTC hours before asOf (none before startsAt); its low/high are the ' +
  'lower/upper quartile of those counts. projection.participants = participants + rate x hours left to endsAt for each ' +
  'rate; projection.estimatedRoi applies the estimatedRoi formula to those counts with the investment as of asOf.'

export interface PacingFields {
  pacing: Pacing | null
  pacingUnavailable: PacingUnavailable | null
}

export function pacingFields(result: EventPacingResult): PacingFields {
  if (!('pacing' in result)) return { pacing: null, pacingUnavailable: { ...result.unavailable } }
  const p = result.pacing
  const rate = p.recentRate
  return {
    pacing: {
      asOf: p.asOf.toISOString(),
      startsAt: p.startsAt.toISOString(),
      endsAt: p.endsAt.toISOString(),
      phase: p.phase,
      elapsedFraction: p.elapsedFraction,
      participants: p.participants,
      expectedParticipants: p.expectedParticipants,
      expectedSoFar: p.expectedSoFar,
      pacePercent: p.pacePercent,
      recentHourlyRate:
        rate === null
          ? null
          : {
              hours: rate.hours,
              from: rate.from.toISOString(),
              to: rate.to.toISOString(),
              perHour: rate.perHour,
              low: rate.low,
              high: rate.high,
            },
      projection:
        p.projectedParticipants === null || p.projectedRoi === null
          ? null
          : { at: p.endsAt.toISOString(), participants: { ...p.projectedParticipants }, estimatedRoi: { ...p.projectedRoi } },
      method: PACING_METHOD,
    },
    pacingUnavailable: null,
  }
}
