import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export type IngestMetrics = ReturnType<typeof createIngestMetrics>

export function createIngestMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'ingest_' })
  return {
    registry,
    consumed: new Counter({
      name: 'ingest_messages_consumed_total',
      help: 'Kafka messages consumed',
      labelNames: ['topic'],
      registers: [registry],
    }),
    enqueued: new Counter({
      name: 'ingest_messages_enqueued_total',
      help: 'Valid messages handed to BullMQ',
      labelNames: ['topic'],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'ingest_jobs_enqueued_total',
      help: 'BullMQ jobs added (one per partition batch chunk)',
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'ingest_dead_letters_total',
      help: 'Messages sent to the dead-letter topic',
      labelNames: ['topic', 'code'],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'ingest_consumer_lag',
      help: 'Messages between the committed offset (all settled in PostgreSQL or dead-lettered below it) and the high watermark, read from the broker on a timer',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    committed: new Counter({
      name: 'ingest_messages_committed_total',
      help: 'Messages whose offsets were committed (settled in PostgreSQL or dead-lettered)',
      labelNames: ['topic'],
      registers: [registry],
    }),
    commitFailures: new Counter({
      name: 'ingest_commit_failures_total',
      help: 'Commit passes that failed (retried on the next pass)',
      registers: [registry],
    }),
    rewinds: new Counter({
      name: 'ingest_partition_rewinds_total',
      help: 'Partitions read again from Kafka because Redis lost an unsettled job',
      labelNames: ['topic'],
      registers: [registry],
    }),
    offsetRegressions: new Counter({
      name: 'ingest_offset_regressions_total',
      help: 'Partitions whose offsets went backwards (a fresh Kafka, a recreated topic, an offset reset); every message is still applied or dead-lettered once',
      labelNames: ['topic'],
      registers: [registry],
    }),
    formerBatchesLost: new Counter({
      name: 'ingest_former_batches_lost_total',
      help: 'Batches of a partition incarnation that vanished whose jobs Redis lost too: read nowhere again, named in the log',
      labelNames: ['topic'],
      registers: [registry],
    }),
    pendingMessages: new Gauge({
      name: 'ingest_uncommitted_messages',
      help: 'Messages consumed by this worker whose offsets are not committed yet',
      registers: [registry],
    }),
    pendingBytes: new Gauge({
      name: 'ingest_uncommitted_bytes',
      help: 'Bytes the uncommitted messages keep for a possible dead letter (keys, values, headers; bounded by INGEST_MAX_PENDING_BYTES)',
      registers: [registry],
    }),
    oldestUnsettledSeconds: new Gauge({
      name: 'ingest_oldest_uncommitted_seconds',
      help: 'Age of the oldest batch this worker handed on whose offset is not committed yet',
      registers: [registry],
    }),
    stalled: new Gauge({
      name: 'ingest_pipeline_stalled',
      help: '1 while messages are behind and no committed offset moved for INGEST_STALL_AFTER_MS',
      registers: [registry],
    }),
    enqueueLatency: new Histogram({
      name: 'ingest_enqueue_latency_seconds',
      help: 'Time to enqueue one job (a partition batch, or a chunk of a large one) in BullMQ',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    backlog: new Gauge({
      name: 'ingest_queue_backlog_jobs',
      help: 'Jobs waiting in the ingest queue at the last check',
      registers: [registry],
    }),
    transactionRetries: new Counter({
      name: 'ingest_transaction_retries_total',
      help: 'Offset commits repeated inside their transaction because the previous commit was still completing (CONCURRENT_TRANSACTIONS)',
      registers: [registry],
    }),
    backpressure: new Gauge({
      name: 'ingest_backpressure_active',
      help: '1 while consumption waits for the queue backlog or the uncommitted window to drain',
      registers: [registry],
    }),
  }
}
