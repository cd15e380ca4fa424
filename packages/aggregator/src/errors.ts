/**
 * How a failed batch is handled depends on why it failed:
 * - conflict: deadlock / serialization failure; retry the same batch at once.
 * - data: the content is wrong (bad decimal, value too long, check violated); it fails the
 *   same way every time, so the batch is split to isolate the poison message.
 * - transient: anything else (connection lost, server restarting, out of resources); retry
 *   the same batch with backoff, never fail jobs for it.
 */
import { isConcurrencyConflict, isDataError, isDatabaseUnavailable, pgErrorCode } from '@event-analytics/db'

export type FailureKind = 'conflict' | 'data' | 'transient'

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
  if (isConcurrencyConflict(error)) return 'conflict'
  if (isDataError(error)) return 'data'
  // Any other SQLSTATE or socket code, or PostgreSQL gone: not the message's fault.
  if (pgErrorCode(error) !== undefined || isDatabaseUnavailable(error)) return 'transient'
  if (error instanceof Error && /connect|terminat|timeout|closed|ECONN/i.test(error.message)) return 'transient'
  // Thrown by the fold or by input checks (DecimalFormatError, RangeError, TypeError): the
  // message itself is bad.
  return 'data'
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
