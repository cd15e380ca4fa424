import { readFileSync } from 'node:fs'
import { availableParallelism, platform, release, totalmem } from 'node:os'
import type { MachineInfo } from './results.js'

/** CPU model name from /proc/cpuinfo text ("unknown" when absent). */
export function parseCpuModel(cpuinfo: string): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)
  return match?.[1]?.trim() ?? 'unknown'
}

export function describeMachine(): MachineInfo {
  let cpuinfo = ''
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  } catch {
    // Not Linux: the model stays unknown.
  }
  return {
    cpus: availableParallelism(),
    cpuModel: parseCpuModel(cpuinfo),
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${platform()} ${release()}`,
  }
}
