/** The rebuild run's /metrics: its progress beside the metrics of the ingest worker and aggregator it runs. */
import { Gauge, Registry } from 'prom-client'
import type { Progress } from './progress.js'

export interface RebuildMetrics {
  readonly registry: Registry
  record(progress: Progress, rate: number | undefined, etaSeconds: number | undefined, caughtUp: boolean): void
}

export function createRebuildMetrics(set: string): RebuildMetrics {
  const registry = new Registry()
  const registers = [registry]
  const lag = new Gauge({
    name: 'rebuild_lag_messages',
    help: 'Messages of the partition the rebuild has not applied yet',
    labelNames: ['set', 'topic', 'partition'],
    registers,
  })
  const done = new Gauge({
    name: 'rebuild_messages_done',
    help: 'Retained messages the rebuild applied or dead-lettered',
    labelNames: ['set'],
    registers,
  })
  const total = new Gauge({
    name: 'rebuild_messages_retained',
    help: 'Messages retained in the topics (what a rebuild can read)',
    labelNames: ['set'],
    registers,
  })
  const rate = new Gauge({ name: 'rebuild_rate_messages_per_second', help: 'Progress over the last 30 s', labelNames: ['set'], registers })
  const eta = new Gauge({
    name: 'rebuild_eta_seconds',
    help: 'Estimated time until caught up at the current rate (-1: unknown)',
    labelNames: ['set'],
    registers,
  })
  const caughtUp = new Gauge({
    name: 'rebuild_caught_up',
    help: '1 once the rebuild is as far as the live group (state ready)',
    labelNames: ['set'],
    registers,
  })
  const truncated = new Gauge({
    name: 'rebuild_truncated_partitions',
    help: 'Partitions whose oldest messages retention already deleted (they cannot be rebuilt)',
    labelNames: ['set'],
    registers,
  })
  return {
    registry,
    record(progress, currentRate, etaSeconds, isCaughtUp) {
      for (const p of progress.partitions) lag.set({ set, topic: p.topic, partition: String(p.partition) }, p.lag)
      done.set({ set }, progress.done)
      total.set({ set }, progress.total)
      rate.set({ set }, currentRate ?? 0)
      eta.set({ set }, etaSeconds ?? -1)
      caughtUp.set({ set }, isCaughtUp ? 1 : 0)
      truncated.set({ set }, progress.truncated.length)
    },
  }
}
