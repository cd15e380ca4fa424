/**
 * Deterministic cumulative counters per (eventId, channelName), derived from time only: every
 * instance and every restart answers the same numbers for the same instant, and they never go
 * down as time moves forward (each counter is floor(elapsed x rate), rates fixed per key).
 */

/** Snapshot body of `GET {base}/v1/metrics` (the provider HTTP contract, docs/SPEC.md section 7). */
export interface MetricsSnapshot {
  impressions: number
  views: number
  clicks: number
  conversions: number
  likes: number
  comments: number
  shares: number
  totalCalls: number
  completedCalls: number
  averageDurationSec: number
  asOf: string
}

/** Counters start growing at this instant (earlier instants answer zeros). */
export const COUNTER_EPOCH_MS = Date.UTC(2025, 0, 1)

/** FNV-1a 32-bit: a stable, dependency-free seed per key. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** Per-minute rates; each is at most the one it derives from, so the ratios stay plausible. */
export function ratesFor(
  eventId: string,
  channelName: string,
): Record<Exclude<keyof MetricsSnapshot, 'asOf' | 'averageDurationSec'>, number> {
  const seed = fnv1a(`${eventId}\u0000${channelName}`)
  const pick = (shift: number, modulo: number): number => ((seed >>> shift) % modulo) / modulo
  const impressions = 50 + (seed % 200)
  const views = impressions * (0.3 + 0.4 * pick(3, 97))
  const clicks = views * (0.05 + 0.2 * pick(5, 89))
  const likes = views * (0.02 + 0.1 * pick(7, 83))
  const totalCalls = 1 + (seed % 17)
  return {
    impressions,
    views,
    clicks,
    conversions: clicks * (0.1 + 0.3 * pick(9, 79)),
    likes,
    comments: likes * (0.1 + 0.4 * pick(11, 73)),
    shares: likes * (0.05 + 0.3 * pick(13, 71)),
    totalCalls,
    completedCalls: totalCalls * (0.5 + 0.5 * pick(15, 67)),
  }
}

/** The snapshot of (eventId, channelName) at `atMs`. */
export function metricsAt(eventId: string, channelName: string, atMs: number): MetricsSnapshot {
  const minutes = Math.max(0, atMs - COUNTER_EPOCH_MS) / 60_000
  const rates = ratesFor(eventId, channelName)
  const at = (rate: number): number => Math.floor(minutes * rate)
  const seed = fnv1a(`${channelName}\u0000${eventId}`)
  return {
    impressions: at(rates.impressions),
    views: at(rates.views),
    clicks: at(rates.clicks),
    conversions: at(rates.conversions),
    likes: at(rates.likes),
    comments: at(rates.comments),
    shares: at(rates.shares),
    totalCalls: at(rates.totalCalls),
    completedCalls: at(rates.completedCalls),
    // Two decimals, fixed per key (an average, not a counter).
    averageDurationSec: 30 + (seed % 9000) / 100,
    asOf: new Date(atMs).toISOString(),
  }
}
