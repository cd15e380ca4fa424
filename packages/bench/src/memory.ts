import type { MemoryResult, ServiceName } from './results.js'
import type { RunningService } from './services.js'

/** Peak memory per service across every phase it ran in. */
export class MemoryBook {
  readonly entries: Partial<Record<ServiceName, MemoryResult>> = {}

  async record(service: ServiceName, phase: string, running: RunningService): Promise<void> {
    const peak = await running.peakMb()
    const entry = this.entries[service] ?? { peakMb: 0, phases: [] }
    entry.peakMb = Math.max(entry.peakMb, peak)
    entry.phases.push(phase)
    this.entries[service] = entry
  }
}
