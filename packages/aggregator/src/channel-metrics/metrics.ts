/** Channel-metrics refresh metrics, on the aggregator's registry. */
import { CHANNEL_TYPES } from '@event-analytics/contracts'
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

export interface ChannelMetricsMetrics {
  /** 0 closed, 1 half-open, 2 open. */
  readonly breakerState: Gauge<'provider'>
  readonly refreshSeconds: Histogram<'provider'>
  readonly rejected: Counter<'provider' | 'reason'>
  readonly applied: Counter<'provider'>
  readonly fetchFailures: Counter<'provider' | 'kind'>
}

export function createChannelMetricsMetrics(registry: Registry): ChannelMetricsMetrics {
  const registers = [registry]
  const breakerState = new Gauge({
    name: 'aggregator_channel_metrics_breaker_state',
    help: 'Provider circuit breaker: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider'],
    registers,
  })
  for (const provider of CHANNEL_TYPES) breakerState.set({ provider }, 0)
  return {
    breakerState,
    refreshSeconds: new Histogram({
      name: 'aggregator_channel_metrics_refresh_seconds',
      help: 'Refresh of one channel (fetch with retries, validation, write), by provider',
      labelNames: ['provider'],
      registers,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    }),
    rejected: new Counter({
      name: 'aggregator_channel_metrics_rejected_total',
      help: 'Snapshots rejected (never stored), by reason',
      labelNames: ['provider', 'reason'],
      registers,
    }),
    applied: new Counter({
      name: 'aggregator_channel_metrics_applied_total',
      help: 'Snapshots applied',
      labelNames: ['provider'],
      registers,
    }),
    fetchFailures: new Counter({
      name: 'aggregator_channel_metrics_fetch_failures_total',
      help: 'Failed fetch attempts (retries included), by kind; breaker-open = rejected without a request',
      labelNames: ['provider', 'kind'],
      registers,
    }),
  }
}
