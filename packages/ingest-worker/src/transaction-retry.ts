/**
 * Kafka answers CONCURRENT_TRANSACTIONS (code 51) when a transaction adds its first partition
 * or offsets while the coordinator is still writing the previous transaction's commit markers:
 * EndTxn returns before they are written, and the next partition batch starts a transaction
 * milliseconds later. The broker expects clients to retry (the Java producer does, after 20 ms).
 * kafkajs does not for AddOffsetsToTxn; left to the consumer, the whole partition batch would
 * fail and the consumer's own retry would hold every partition for 0.3 s to 10 s (multi-second
 * gaps in the freshness bench). The rejected request changed nothing on the broker, so repeating it inside
 * the same open transaction keeps the dead letters + offsets atomicity intact.
 */

import { retry, type RetryOptions } from '@event-analytics/ops'

/**
 * 10 attempts, pauses 10 ms doubling to at most 250 ms (about 1.3 s in all): markers take
 * milliseconds; past that the batch fails and the consumer replays it. No jitter: one worker's
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

/**
 * The cluster does not know this transactional producer's id: INVALID_PRODUCER_ID_MAPPING (49)
 * or UNKNOWN_PRODUCER_ID (59), as a fresh or restored Kafka answers a producer initialised
 * against the one before. Not retriable as is, and not a fencing (that would be
 * INVALID_PRODUCER_EPOCH or PRODUCER_FENCED, another worker with the same transactional id):
 * initialising the producer again (InitProducerId) is what the broker asks for.
 */
export function isProducerUnknownToCluster(error: unknown): boolean {
  return error instanceof Error && 'type' in error && (error.type === 'INVALID_PRODUCER_ID_MAPPING' || error.type === 'UNKNOWN_PRODUCER_ID')
}

/**
 * kafkajs refuses to begin a transaction while its transaction manager is still in the state of
 * one that ended badly (a commit whose EndTxn failed stays COMMITTING; nothing in kafkajs moves it
 * on): "Transaction state exception: Cannot call "beginTransaction" in state "COMMITTING"". Only
 * a new producer instance recovers from it.
 */
export function isTransactionStateStuck(error: unknown): boolean {
  return error instanceof Error && error.name === 'KafkaJSNonRetriableError' && error.message.startsWith('Transaction state exception')
}
