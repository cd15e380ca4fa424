/**
 * Pure rules of a provider snapshot (docs/SPEC.md section 7). `validateSnapshot` checks the body on its own
 * (shape, integers, signs, completedCalls <= totalCalls, a plausible asOf); `checkProgress`
 * compares it with the stored counters under the row lock (nothing may go backwards).
 */
import type { ChannelSnapshot, StoredChannelMetrics } from '@event-analytics/db'

export const SNAPSHOT_COUNTERS = [
  'impressions',
  'views',
  'clicks',
  'conversions',
  'likes',
  'comments',
  'shares',
  'totalCalls',
  'completedCalls',
] as const

/** A provider clock may run ahead a little; a day ahead is a broken snapshot. */
export const MAX_FUTURE_MS = 24 * 3_600_000
/** numeric(10,2) */
const MAX_AVERAGE_DURATION = 99_999_999.99

export type RejectReason =
  | 'not-an-object'
  | 'missing-field'
  | 'not-integer'
  | 'negative'
  | 'completed-over-total'
  | 'bad-average-duration'
  | 'bad-as-of'
  | 'future-as-of'
  | 'not-newer'
  | 'backwards'

export type Validation =
  { readonly ok: true; readonly snapshot: ChannelSnapshot } | { readonly ok: false; readonly reason: RejectReason; readonly detail: string }

function reject(reason: RejectReason, detail: string): Validation {
  return { ok: false, reason, detail }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Validates a raw JSON body against the contract; `now` bounds asOf. */
export function validateSnapshot(body: unknown, now: Date): Validation {
  if (!isRecord(body)) return reject('not-an-object', 'body is not a JSON object')
  for (const field of [...SNAPSHOT_COUNTERS, 'averageDurationSec', 'asOf']) {
    if (body[field] === undefined || body[field] === null) return reject('missing-field', `${field} is missing`)
  }
  const counters: Record<string, number> = {}
  for (const field of SNAPSHOT_COUNTERS) {
    const value = body[field]
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return reject('not-integer', `${field} is not an integer`)
    if (value < 0) return reject('negative', `${field} is negative`)
    counters[field] = value
  }
  const get = (field: (typeof SNAPSHOT_COUNTERS)[number]): number => counters[field] ?? 0
  if (get('completedCalls') > get('totalCalls')) return reject('completed-over-total', 'completedCalls > totalCalls')
  const average = body['averageDurationSec']
  if (typeof average !== 'number' || !Number.isFinite(average) || average < 0 || average > MAX_AVERAGE_DURATION) {
    return reject('bad-average-duration', 'averageDurationSec is not a number within 0..99999999.99')
  }
  const asOfText = body['asOf']
  const asOfMs = typeof asOfText === 'string' ? Date.parse(asOfText) : Number.NaN
  if (Number.isNaN(asOfMs)) return reject('bad-as-of', 'asOf is not an ISO-8601 instant')
  if (asOfMs > now.getTime() + MAX_FUTURE_MS) return reject('future-as-of', 'asOf is more than 24 h in the future')
  return {
    ok: true,
    snapshot: {
      impressions: get('impressions'),
      views: get('views'),
      clicks: get('clicks'),
      conversions: get('conversions'),
      likes: get('likes'),
      comments: get('comments'),
      shares: get('shares'),
      totalCalls: get('totalCalls'),
      completedCalls: get('completedCalls'),
      averageDurationSec: average.toFixed(2),
      asOf: new Date(asOfMs),
    },
  }
}

/** Rejects a snapshot that is not newer than the stored one or whose counters go backwards. */
export function checkProgress(stored: StoredChannelMetrics, next: ChannelSnapshot): RejectReason | null {
  if (stored.metricsAsOf !== null && next.asOf.getTime() <= stored.metricsAsOf.getTime()) return 'not-newer'
  for (const field of SNAPSHOT_COUNTERS) {
    if (next[field] < stored[field]) return 'backwards'
  }
  return null
}
