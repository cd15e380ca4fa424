/**
 * The producer of the commit transactions (dead letters + offsets). kafkajs initialises a
 * transactional producer's id once per instance (InitProducerId at the first transaction) and
 * never again, so a worker whose Kafka was replaced under it (a fresh or restored cluster, which
 * answers INVALID_PRODUCER_ID_MAPPING) needs a new instance with the same transactional id:
 * `renew`. A fencing by another worker with the same id is not that, and is not renewed.
 */
import type { Kafka, Producer, Transaction } from 'kafkajs'

export interface TransactionalProducer {
  connect(): Promise<void>
  disconnect(): Promise<void>
  transaction(): Promise<Transaction>
  /** Drops the current instance and connects a new one with the same transactional id. */
  renew(): Promise<void>
}

export function createTransactionalProducer(kafka: Kafka, transactionalId: string): TransactionalProducer {
  const create = (): Producer => kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
  let producer = create()
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    transaction: () => producer.transaction(),
    async renew() {
      const old = producer
      producer = create()
      await old.disconnect().catch(() => undefined)
      await producer.connect()
    },
  }
}
