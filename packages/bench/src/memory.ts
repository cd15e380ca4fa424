import type { MemoryResult, ServiceName } from './results.js'
import type { RunningService } from './services.js'

const SERVICE_NAMES: readonly string[] = ['ingest-worker', 'aggregator', 'query-api'] satisfies readonly ServiceName[]

function isServiceName(pkg: string): pkg is ServiceName {
  return SERVICE_NAMES.includes(pkg)
}

/** Peak memory per service across every phase it ran in. */
export class MemoryBook {
  readonly entries: Partial<Record<ServiceName, MemoryResult>> = {}

  async record(service: ServiceName, phase: string, running: RunningService): Promise<void> {
    const peak = await running.peakMb()
    const entry = this.entries[service] ?? { peakMb: 0, phases: [], peakMbByPhase: {} }
    entry.peakMb = Math.max(entry.peakMb, peak)
    // Several instances of a service in one phase (scale-out) name the phase once.
    if (!entry.phases.includes(phase)) entry.phases.push(phase)
    entry.peakMbByPhase[phase] = Math.max(entry.peakMbByPhase[phase] ?? 0, peak)
    this.entries[service] = entry
  }

  /** Records every service process among `running` under its package's name (the max per kind). */
  async recordAll(phase: string, running: readonly RunningService[]): Promise<void> {
    for (const service of running) {
      if (isServiceName(service.pkg)) await this.record(service.pkg, phase, service)
    }
  }
}
