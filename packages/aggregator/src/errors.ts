/**
 * How a failed batch is handled depends on why it failed:
 * - conflict: deadlock / serialization failure; retry the same batch at once.
 * - data: the content is wrong (bad decimal, value too long, check violated); it fails the
 *   same way every time, so the batch is split to isolate the poison message.
 * - transient: anything else (connection lost, server restarting, out of resources); retry
 *   the same batch with backoff, never fail jobs for it.
 */
import { pgErrorCode } from '@event-analytics/db'

export type FailureKind = 'conflict' | 'data' | 'transient'

const CONFLICT_CODES = new Set(['40P01', '40001'])
/** SQLSTATE classes caused by the data itself: 22 data exception, 23 integrity violation. */
const DATA_CLASSES = new Set(['22', '23'])

/**
 * A committed batch whose cache invalidation failed (Redis unreachable). Retrying the batch
 * is harmless (its messages are claimed) and invalidates again; giving up would leave stale
 * projections until their TTL.
 */
export class InvalidationFailed extends Error {
  override name = 'InvalidationFailed'
  constructor(cause: unknown) {
    super(`cache invalidation failed: ${errorMessage(cause)}`, { cause })
  }
}

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof InvalidationFailed) return 'transient'
  const code = pgErrorCode(error)
  if (code !== undefined && CONFLICT_CODES.has(code)) return 'conflict'
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return DATA_CLASSES.has(code.slice(0, 2)) ? 'data' : 'transient'
  // Node socket errors carry codes like ECONNREFUSED; pg reports a dropped connection as a
  // plain Error with one of these messages.
  if (code !== undefined) return 'transient'
  if (error instanceof Error && /connect|terminat|timeout|closed|ECONN/i.test(error.message)) return 'transient'
  // Thrown by the fold or by input checks (DecimalFormatError, RangeError, TypeError): the
  // message itself is bad.
  return 'data'
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
