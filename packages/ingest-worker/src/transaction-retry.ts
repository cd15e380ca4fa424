/**
 * Kafka answers CONCURRENT_TRANSACTIONS (code 51) when a transaction adds its first partition
 * or offsets while the coordinator is still writing the previous transaction's commit markers:
 * EndTxn returns before they are written, and the next partition batch starts a transaction
 * milliseconds later. The broker expects clients to retry (the Java producer does, after 20 ms).
 * kafkajs does not for AddOffsetsToTxn, so the whole partition batch used to fail and the
 * consumer's own retry held every partition for 0.3 s to 10 s (seen in the freshness bench as
 * multi-second gaps). The rejected request changed nothing on the broker, so repeating it inside
 * the same open transaction keeps the dead letters + offsets atomicity intact.
 */

import { retry, type RetryOptions } from '@event-analytics/ops'

/**
 * 10 attempts, pauses 10 ms doubling to at most 250 ms (about 1.3 s in all): markers take
 * milliseconds; past that the batch fails and is replayed as before. No jitter: one worker's
 * transactions are sequential, so there is no herd to spread.
 */
export const CONCURRENT_TRANSACTION_RETRY = {
  attempts: 10,
  backoff: { initialMs: 10, factor: 2, maxMs: 250, jitter: false },
} as const satisfies RetryOptions

export function isConcurrentTransactions(error: unknown): boolean {
  return error instanceof Error && 'type' in error && error.type === 'CONCURRENT_TRANSACTIONS'
}

/** Runs `operation`, repeating it with a doubling pause while it fails with CONCURRENT_TRANSACTIONS. */
export function retryConcurrentTransactions<T>(
  operation: () => Promise<T>,
  onRetry: (attempt: number) => void = () => {},
  options: Pick<RetryOptions, 'attempts' | 'backoff'> = CONCURRENT_TRANSACTION_RETRY,
): Promise<T> {
  return retry(operation, { ...options, shouldRetry: isConcurrentTransactions, onRetry: (_error, attempt) => onRetry(attempt) })
}
