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

import { setTimeout as sleep } from 'node:timers/promises'

export interface ConcurrentTransactionRetry {
  /** Calls in total, the first included. */
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

/** About 1.3 s of pauses in all: markers take milliseconds; past that the batch fails and is replayed as before. */
export const CONCURRENT_TRANSACTION_RETRY: ConcurrentTransactionRetry = { attempts: 10, baseDelayMs: 10, maxDelayMs: 250 }

export function isConcurrentTransactions(error: unknown): boolean {
  return error instanceof Error && 'type' in error && error.type === 'CONCURRENT_TRANSACTIONS'
}

/** Runs `operation`, repeating it with a doubling pause while it fails with CONCURRENT_TRANSACTIONS. */
export async function retryConcurrentTransactions<T>(
  operation: () => Promise<T>,
  onRetry: (attempt: number) => void = () => {},
  options: ConcurrentTransactionRetry = CONCURRENT_TRANSACTION_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation()
    } catch (error) {
      if (!isConcurrentTransactions(error) || attempt >= options.attempts) throw error
      onRetry(attempt)
      await sleep(Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)))
    }
  }
}
