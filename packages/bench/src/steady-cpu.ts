/**
 * CPU per event in steady state: what one more event costs, free of what a drain costs once.
 *
 * A drain's CPU divided by its messages also carries fixed costs: start-up checks, the consumer
 * group's join, connection set-up, and JIT warm-up (the first batches run in V8's interpreter).
 * On a 60,000-message drain those came to about a third of the figure. Two drains of the same
 * pipeline over backlogs of different sizes pay the fixed costs once each, so the difference of
 * their CPU over the difference of their messages is the cost per event alone (the marginal
 * cost). Both drains are noisy on a shared machine; the difference is noisier still, so it sits
 * next to the per-drain figure, not in its place.
 */
import { isBenchRole, type PipelineCpu } from './proc-cpu.js'

export interface SteadyRow {
  readonly role: string
  /** Extra CPU of the larger drain over the smaller one, in ms. */
  readonly extraCpuMs: number
  readonly microsPerEvent: number
}

export interface SteadyCpu {
  /** Messages of the smaller and the larger drain. */
  readonly smallEvents: number
  readonly largeEvents: number
  /** Services and their PostgreSQL backends by role, then Redis and Kafka (net of idle). */
  readonly rows: readonly SteadyRow[]
  /** The services and their backends alone. */
  readonly ownMicrosPerEvent: number
  /** With Redis and Kafka net of idle. */
  readonly totalMicrosPerEvent: number
  /** The aggregator process + its PostgreSQL backends. */
  readonly applyMicrosPerEvent: number
}

/** The marginal CPU per event between two drains of one pipeline shape; null when they do not differ in size. */
export function steadyCpu(small: PipelineCpu, large: PipelineCpu): SteadyCpu | null {
  const extraEvents = large.events - small.events
  if (extraEvents <= 0) return null
  const cpuOf = (cpu: PipelineCpu, role: string): number =>
    cpu.rows.find((row) => row.role === role)?.cpuMs ?? cpu.shared.find((s) => s.role === role)?.netMs ?? 0
  const counted = [...small.rows, ...large.rows].map((row) => row.role).filter((role) => !isBenchRole(role))
  const roles = [...new Set([...counted, ...large.shared.map((s) => s.role)])]
  const rows = roles.map((role) => {
    const extraCpuMs = cpuOf(large, role) - cpuOf(small, role)
    return { role, extraCpuMs, microsPerEvent: (extraCpuMs * 1000) / extraEvents }
  })
  const sum = (keep: (role: string) => boolean): number =>
    rows.filter((row) => keep(row.role)).reduce((total, row) => total + row.microsPerEvent, 0)
  const isShared = (role: string): boolean => large.shared.some((s) => s.role === role)
  return {
    smallEvents: small.events,
    largeEvents: large.events,
    rows,
    ownMicrosPerEvent: sum((role) => !isShared(role)),
    totalMicrosPerEvent: sum(() => true),
    applyMicrosPerEvent: sum((role) => role === 'aggregator' || role === 'postgres: aggregator'),
  }
}
