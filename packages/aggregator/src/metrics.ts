/** Prometheus metrics of one aggregator, on its own Registry (several may share a process in tests). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface AggregatorMetrics {
  readonly registry: Registry
  readonly batchMessages: Histogram
  readonly batchJobs: Histogram
  readonly foldRatio: Histogram
  readonly transactionSeconds: Histogram
  readonly retries: Counter<'reason'>
  readonly poisonMessages: Counter
  readonly duplicatesDropped: Counter
  readonly messagesApplied: Counter
  readonly rowsWritten: Counter
  readonly invalidationFailures: Counter
  readonly projectionSetLive: Gauge<'set'>
  readonly alertPassSeconds: Histogram<'trigger'>
}

export function createMetrics(withDefaults = true): AggregatorMetrics {
  const registry = new Registry()
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'aggregator_' })
  const registers = [registry]
  return {
    registry,
    batchMessages: new Histogram({
      name: 'aggregator_batch_messages',
      help: 'Messages per applied batch',
      registers,
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
    }),
    batchJobs: new Histogram({
      name: 'aggregator_batch_jobs',
      help: 'BullMQ jobs per batch',
      registers,
      buckets: [1, 2, 5, 10, 25, 50, 100],
    }),
    foldRatio: new Histogram({
      name: 'aggregator_fold_ratio',
      help: 'Messages applied per projection row written, per batch',
      registers,
      buckets: [1, 1.5, 2, 5, 10, 25, 50, 100],
    }),
    transactionSeconds: new Histogram({
      name: 'aggregator_transaction_seconds',
      help: 'Latency of one batch transaction (committed or not)',
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    retries: new Counter({
      name: 'aggregator_batch_retries_total',
      help: 'Batch transactions retried, by reason',
      labelNames: ['reason'],
      registers,
    }),
    poisonMessages: new Counter({
      name: 'aggregator_poison_messages_total',
      help: 'Messages PostgreSQL refused after isolation (once each; dead-lettered APPLY_FAILED by the ingest worker)',
      registers,
    }),
    duplicatesDropped: new Counter({
      name: 'aggregator_duplicates_dropped_total',
      help: 'Messages dropped as already applied',
      registers,
    }),
    messagesApplied: new Counter({ name: 'aggregator_messages_applied_total', help: 'Messages applied', registers }),
    rowsWritten: new Counter({ name: 'aggregator_rows_written_total', help: 'Projection rows upserted', registers }),
    invalidationFailures: new Counter({
      name: 'aggregator_cache_invalidation_failures_total',
      help: 'Cache invalidations that failed (the batch is retried until one succeeds)',
      registers,
    }),
    alertPassSeconds: new Histogram({
      name: 'aggregator_alert_pass_seconds',
      help: 'Duration of one alert evaluation pass, by what started it (batch: the events of committed batches; clock: every ACTIVE event)',
      labelNames: ['trigger'],
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    projectionSetLive: new Gauge({
      name: 'aggregator_projection_set_live',
      help: 'Whether the projection set this aggregator writes is the one the API reads (1) or not (0: a rebuild, or a set switched away from)',
      labelNames: ['set'],
      registers,
    }),
  }
}
