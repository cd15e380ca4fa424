/** CPU time of processes from /proc/<pid>/stat (Linux), and the pure accounting of a window. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface ProcCpu {
  /** utime + stime of every thread of the process, in clock ticks. */
  readonly ticks: number
  /** Process start after boot, in clock ticks: tells a reused pid apart. */
  readonly startTicks: number
}

/**
 * Parses /proc/<pid>/stat text. The command name (field 2) sits in parentheses and may itself
 * hold spaces and parentheses, so the fields are counted from the last ')'. Fields 14 and 15
 * are utime and stime, 22 the start time (proc(5)); children's times (16, 17) are not counted.
 */
export function parseProcStat(text: string): ProcCpu | null {
  const close = text.lastIndexOf(')')
  if (close === -1) return null
  // After ") " comes field 3 (state): field n is at index n - 3.
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/)
  const [utime, stime, start] = [fields[11], fields[12], fields[19]].map(Number)
  if (utime === undefined || stime === undefined || start === undefined) return null
  if (![utime, stime, start].every(Number.isSafeInteger)) return null
  return { ticks: utime + stime, startTicks: start }
}

/** Null once the process is gone (or /proc is not readable). */
export function readProcCpu(pid: number): ProcCpu | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null
  }
}

/** CPU time (utime + stime) of a process that must be alive and on this machine, in µs. */
export function processCpuMicros(pid: number): number {
  const cpu = readProcCpu(pid)
  if (cpu === null) throw new Error(`process ${pid} is not readable in /proc: it must run on this machine, and not exit meanwhile`)
  return (cpu.ticks / clockTicksPerSecond()) * 1e6
}

let clockTicks: number | null = null

/** The kernel's USER_HZ (`getconf CLK_TCK`), read once; /proc times are in these ticks. */
export function clockTicksPerSecond(): number {
  if (clockTicks !== null) return clockTicks
  const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`getconf CLK_TCK gave "${value}"`)
  clockTicks = value
  return value
}

/** One process watched over a window: its CPU at the window's start (or 0 if it began inside it) and at the last look. */
export interface CpuTrack {
  readonly pid: number
  /** What the process is for, e.g. `aggregator`, `postgres: aggregator`; rows group by it. */
  readonly role: string
  readonly startTicks: number
  readonly firstTicks: number
  lastTicks: number
  /** The process was gone at a later look: CPU after its last reading is lost. */
  vanished: boolean
}

export interface CpuRow {
  readonly role: string
  readonly processes: number
  /** Of them, gone before the window closed (their last reading counts). */
  readonly vanished: number
  readonly cpuMs: number
  readonly microsPerEvent: number
}

/** CPU per role over the window, per event; roles in first-seen order. */
export function cpuRows(tracks: readonly CpuTrack[], ticksPerSecond: number, events: number): CpuRow[] {
  const roles = [...new Set(tracks.map((track) => track.role))]
  return roles.map((role) => {
    const mine = tracks.filter((track) => track.role === role)
    const ticks = mine.reduce((sum, track) => sum + Math.max(0, track.lastTicks - track.firstTicks), 0)
    const micros = (ticks / ticksPerSecond) * 1e6
    return {
      role,
      processes: mine.length,
      vanished: mine.filter((track) => track.vanished).length,
      cpuMs: micros / 1000,
      microsPerEvent: events > 0 ? micros / events : Number.NaN,
    }
  })
}

/** A process shared with other work (Redis, Kafka): its CPU over the window, and net of its idle rate measured just before. */
export interface SharedCpu {
  readonly role: string
  readonly pid: number | null
  readonly grossMs: number
  /** CPU per second of wall time over the idle windows (idleSeconds in all) before the pipeline started and after it stopped. */
  readonly idleMsPerSecond: number
  readonly idleSeconds: number
  readonly windowSeconds: number
  /** gross - idle rate x window; may go below 0 when the others' load fell during the window. */
  readonly netMs: number
  readonly grossMicrosPerEvent: number
  readonly netMicrosPerEvent: number
}

export function sharedCpu(
  role: string,
  pid: number | null,
  usage: { grossMs: number; idleMs: number; idleSeconds: number; windowSeconds: number },
  events: number,
): SharedCpu {
  const idleMsPerSecond = usage.idleSeconds > 0 ? usage.idleMs / usage.idleSeconds : 0
  const netMs = usage.grossMs - idleMsPerSecond * usage.windowSeconds
  const per = (ms: number): number => (events > 0 ? (ms * 1000) / events : Number.NaN)
  return {
    role,
    pid,
    grossMs: usage.grossMs,
    idleMsPerSecond,
    idleSeconds: usage.idleSeconds,
    windowSeconds: usage.windowSeconds,
    netMs,
    grossMicrosPerEvent: per(usage.grossMs),
    netMicrosPerEvent: per(netMs),
  }
}

/** `process_id` out of Redis's INFO server text; null when absent. */
export function parseRedisProcessId(info: string): number | null {
  const match = /^process_id:(\d+)\s*$/m.exec(info)
  return match?.[1] === undefined ? null : Number(match[1])
}

/** The bench's own connections: shown, never counted as the pipeline's. */
export const BENCH_APPLICATIONS: readonly string[] = ['bench-probe']

/** Whether a CPU row is one of the bench's own PostgreSQL backends (shown, never counted). */
export function isBenchRole(role: string): boolean {
  return BENCH_APPLICATIONS.some((app) => role === `postgres: ${app}`)
}

/** CPU of one end-to-end drain, per process kind and per event (µs). */
export interface PipelineCpu {
  readonly events: number
  /** From just before the pipeline started to the last message visible. */
  readonly windowSeconds: number
  readonly clockTicksPerSecond: number
  /** The services and the PostgreSQL backends by client (`postgres: aggregator`, ...). */
  readonly rows: readonly CpuRow[]
  /** Redis and Kafka, gross and net of their idle rate. */
  readonly shared: readonly SharedCpu[]
  /** Distinct PostgreSQL backends of the drain's database seen over the window. */
  readonly backendsSeen: number
  /** The services and their backends alone (the bench's own excepted): nothing shared with other work. */
  readonly ownMicrosPerEvent: number
  /** Services + their backends + Redis and Kafka net of idle. */
  readonly totalMicrosPerEvent: number
  /** The same with Redis and Kafka gross. */
  readonly grossTotalMicrosPerEvent: number
  /** The aggregator process + the PostgreSQL backends it uses: the apply cost. */
  readonly applyMicrosPerEvent: number
}

export function pipelineCpu(
  window: { events: number; windowSeconds: number; clockTicksPerSecond: number; backendsSeen: number },
  allRows: readonly CpuRow[],
  shared: readonly SharedCpu[],
): PipelineCpu {
  const isShared = (role: string): boolean => shared.some((s) => s.role === role)
  const rows = allRows.filter((row) => !isShared(row.role))
  const counted = rows.filter((row) => !isBenchRole(row.role))
  const own = counted.reduce((sum, row) => sum + row.microsPerEvent, 0)
  const of = (role: string): number => rows.find((row) => row.role === role)?.microsPerEvent ?? 0
  return {
    ...window,
    rows,
    shared,
    ownMicrosPerEvent: own,
    totalMicrosPerEvent: own + shared.reduce((sum, s) => sum + s.netMicrosPerEvent, 0),
    grossTotalMicrosPerEvent: own + shared.reduce((sum, s) => sum + s.grossMicrosPerEvent, 0),
    applyMicrosPerEvent: of('aggregator') + of('postgres: aggregator'),
  }
}

/** The claim statement alone against a fresh database: what PostgreSQL's durable dedupe costs per message. */
export interface ClaimFloorResult {
  readonly messages: number
  readonly batchSize: number
  /** Where the batch size came from. */
  readonly batchSource: 'end-to-end drain mean' | 'AGGREGATOR_BATCH_MAX_MESSAGES'
  /** Per round. */
  readonly batches: number
  /** Rounds run, each on a fresh database; the figures below are their medians. */
  readonly rounds: number
  readonly wallSeconds: number
  /** The one backend serving the claims (pg_backend_pid()), /proc. */
  readonly backendMicrosPerMessage: number
  readonly roundsBackendMicrosPerMessage: readonly number[]
  /** The bench process issuing them (process.cpuUsage()). */
  readonly clientMicrosPerMessage: number
}

/** Middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}
