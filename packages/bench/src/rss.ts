/** Resident memory of child processes from /proc/<pid>/status. */
import { readFile } from 'node:fs/promises'

export interface ProcMemory {
  /** Current resident set, KiB. */
  vmRssKb: number
  /** Peak resident set ("high water mark") since the process started, KiB. */
  vmHwmKb: number
}

/** Parses VmRSS/VmHWM out of /proc/<pid>/status text; null when they are missing. */
export function parseProcStatus(text: string): ProcMemory | null {
  const field = (name: string): number | null => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text)
    return match?.[1] === undefined ? null : Number(match[1])
  }
  const vmRssKb = field('VmRSS')
  const vmHwmKb = field('VmHWM')
  return vmRssKb === null || vmHwmKb === null ? null : { vmRssKb, vmHwmKb }
}

export async function readProcMemory(pid: number): Promise<ProcMemory | null> {
  try {
    return parseProcStatus(await readFile(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return null
  }
}

/** Polls a pid and keeps the highest VmHWM/VmRSS seen (VmHWM is already a peak; polling guards exit races). */
export function sampleMemory(pid: number, intervalMs = 250): { peakKb(): Promise<number>; stop(): void } {
  let peak = 0
  const take = async (): Promise<void> => {
    const memory = await readProcMemory(pid)
    if (memory !== null) peak = Math.max(peak, memory.vmHwmKb, memory.vmRssKb)
  }
  const timer = setInterval(() => void take(), intervalMs)
  return {
    async peakKb() {
      await take()
      return peak
    },
    stop: () => clearInterval(timer),
  }
}
