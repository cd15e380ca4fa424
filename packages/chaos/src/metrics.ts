/**
 * Counters from the services' Prometheus /metrics. A SIGKILLed process takes its counters
 * with it, so the suite scrapes often and keeps the last value seen per process: the totals
 * are sums over processes (a lower bound when a kill lands between two scrapes).
 */
import { metricSum } from '@event-analytics/ops/testing'

export interface CounterBook {
  record(pid: number, text: string): void
  total(name: string): number
}

export function counterBook(names: readonly string[]): CounterBook {
  const last = new Map<number, Map<string, number>>()
  return {
    record(pid, text) {
      last.set(pid, new Map(names.map((name) => [name, metricSum(text, name)])))
    },
    total: (name) => [...last.values()].reduce((sum, values) => sum + (values.get(name) ?? 0), 0),
  }
}
