/** Prometheus metrics of one dispatcher, on its own Registry (tests may run several in a process). */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

export interface DispatcherMetrics {
  readonly registry: Registry
  /** Deliveries created from alert transitions. */
  readonly dispatched: Counter
  /** Attempts by outcome: delivered, retry, given-up, skipped (another attempt held the lease or it was done). */
  readonly attempts: Counter<'outcome'>
  /** Deliveries still to be made, as the last sweep counted them (capped at the sweep's batch). */
  readonly pending: Gauge
}

export function createDispatcherMetrics(withDefaults = true): DispatcherMetrics {
  const registry = new Registry()
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'webhook_dispatcher_' })
  const registers = [registry]
  return {
    registry,
    dispatched: new Counter({ name: 'webhook_deliveries_dispatched_total', help: 'Deliveries created from alert transitions', registers }),
    attempts: new Counter({
      name: 'webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    pending: new Gauge({
      name: 'webhook_deliveries_pending',
      help: 'Deliveries neither delivered nor given up, at the last sweep',
      registers,
    }),
  }
}
