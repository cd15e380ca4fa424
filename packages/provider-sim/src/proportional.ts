/**
 * Counters in believable proportion to the participants the aggregator reports for the
 * channel (the `participants` hint of the request): a small promotion with 4,780 participants
 * shows tens to hundreds of thousands of views, not the hundreds of millions a counter growing
 * since 2025 reaches. Deterministic per (eventId, channelName) and monotone in participants, so
 * snapshots never go backwards while participants only grow. Each channel type reports what
 * such a provider measures: TV views, SNS engagement and clicks, VOICE calls.
 */
import type { MetricsSnapshot } from './counters.js'
import type { ProviderName } from './knobs.js'

function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** Fixed ratios of a channel: participants are 1.5-6 % of views, and so on. */
export function ratiosFor(eventId: string, channelName: string) {
  const seed = fnv1a(`${eventId}\u0001${channelName}`)
  const pick = (shift: number, modulo: number): number => ((seed >>> shift) % modulo) / modulo
  return {
    participation: 0.015 + 0.045 * pick(0, 97),
    viewsPerImpression: 0.3 + 0.4 * pick(3, 89),
    clickRate: 0.04 + 0.16 * pick(5, 83),
    conversionRate: 0.1 + 0.3 * pick(7, 79),
    likeRate: 0.02 + 0.08 * pick(9, 73),
    commentShare: 0.1 + 0.3 * pick(11, 71),
    shareShare: 0.05 + 0.25 * pick(13, 67),
    callsPerParticipant: 1.1 + 0.9 * pick(15, 61),
    completion: 0.55 + 0.4 * pick(17, 59),
    averageDurationSec: 30 + (seed % 9000) / 100,
  }
}

export function metricsFromParticipants(
  provider: ProviderName,
  eventId: string,
  channelName: string,
  participants: number,
  atMs: number,
): MetricsSnapshot {
  const r = ratiosFor(eventId, channelName)
  const floor = Math.floor
  const views = floor(participants / r.participation)
  const clicks = provider === 'sns' ? floor(views * r.clickRate) : 0
  const likes = provider === 'sns' ? floor(views * r.likeRate) : 0
  const totalCalls = provider === 'voice' ? floor(participants * r.callsPerParticipant) : 0
  return {
    impressions: floor(views / r.viewsPerImpression),
    views,
    clicks,
    conversions: floor(clicks * r.conversionRate),
    likes,
    comments: floor(likes * r.commentShare),
    shares: floor(likes * r.shareShare),
    totalCalls,
    completedCalls: floor(totalCalls * r.completion),
    averageDurationSec: provider === 'voice' ? r.averageDurationSec : 0,
    asOf: new Date(atMs).toISOString(),
  }
}
