/**
 * Counters from the services' Prometheus /metrics. A SIGKILLed process takes its counters
 * with it, so the suite scrapes often and keeps the last value seen per process: the totals
 * are sums over processes (a lower bound when a kill lands between two scrapes).
 */

/** Sum of every sample of `name` (all label sets) in a Prometheus text exposition. */
export function counterValue(text: string, name: string): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line)
    if (match === null || match[1] !== name) continue
    const value = Number(match[3])
    if (Number.isFinite(value)) total += value
  }
  return total
}

export interface CounterBook {
  record(pid: number, text: string): void
  total(name: string): number
}

export function counterBook(names: readonly string[]): CounterBook {
  const last = new Map<number, Map<string, number>>()
  return {
    record(pid, text) {
      last.set(pid, new Map(names.map((name) => [name, counterValue(text, name)])))
    },
    total: (name) => [...last.values()].reduce((sum, values) => sum + (values.get(name) ?? 0), 0),
  }
}
