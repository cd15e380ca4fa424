/**
 * CPU of every process one end-to-end drain needs, from /proc: the services (from their
 * /ready), the PostgreSQL backends of the drain's database (looked up in pg_stat_activity
 * every POLL_MS, since pools open and close connections), Redis and Kafka (shared with other
 * work: an idle window just before the pipeline starts gives their background rate).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { closeDb, createDb, databaseNameOf } from '@event-analytics/db'
import { readBenchBackends } from '@event-analytics/db/bench'
import { Redis } from 'ioredis'
import type { BenchConfig } from './config.js'
import type { PipelineTarget } from './isolation.js'
import { REPO_ROOT } from './paths.js'
import {
  clockTicksPerSecond,
  cpuRows,
  parseRedisProcessId,
  pipelineCpu,
  readProcCpu,
  sharedCpu,
  type CpuTrack,
  type PipelineCpu,
  type ProcCpu,
} from './proc-cpu.js'
import type { RunningService } from './services.js'

const POLL_MS = 250

function backendRole(applicationName: string, backendType: string): string {
  if (backendType !== 'client backend') return `postgres: ${backendType || 'other'}`
  return `postgres: ${applicationName || 'unnamed client'}`
}

async function redisPid(url: string): Promise<number | null> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true })
  try {
    await redis.connect()
    return parseRedisProcessId(await redis.info('server'))
  } catch {
    return null
  } finally {
    redis.disconnect()
  }
}

const isKafka = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('kafka.Kafka')
  } catch {
    return false
  }
}

/** The dev stack's broker: its pid file, else the one `kafka.Kafka` java process on the machine. */
export function kafkaPid(): number | null {
  const file = join(REPO_ROOT, '.stack', 'run', 'kafka.pid')
  const fromFile = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : Number.NaN
  if (Number.isSafeInteger(fromFile) && isKafka(fromFile)) return fromFile
  const found = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter(isKafka)
  return found.length === 1 ? (found[0] ?? null) : null
}

class Tracks {
  readonly all = new Map<number, CpuTrack>()

  /** From `baseline` (a reading taken earlier), 0 (began inside the window) or now. */
  add(pid: number, role: string, baseline: ProcCpu | 'zero' | 'now'): void {
    if (this.all.has(pid)) return
    const now = readProcCpu(pid)
    const first = baseline === 'now' ? now : baseline === 'zero' ? (now === null ? null : { ...now, ticks: 0 }) : baseline
    if (first === null || now === null) return
    this.all.set(pid, { pid, role, startTicks: first.startTicks, firstTicks: first.ticks, lastTicks: now.ticks, vanished: false })
  }

  sample(): void {
    for (const track of this.all.values()) {
      if (track.vanished) continue
      const now = readProcCpu(track.pid)
      // A pid reused by another process counts as gone.
      if (now === null || now.startTicks !== track.startTicks) track.vanished = true
      else track.lastTicks = now.ticks
    }
  }
}

export interface CpuWatch {
  /** Counts a service from the reading taken when its ops port first answered. */
  addServices(services: readonly RunningService[]): void
  /** Closes the window (at the drain's end) and stops polling. Idempotent. */
  close(): Promise<void>
  /** Once the pipeline has stopped: a second idle window for Redis and Kafka, then the accounting for `events`. */
  account(events: number): Promise<PipelineCpu>
}

const ticksOf = (pid: number | null): number | null => (pid === null ? null : (readProcCpu(pid)?.ticks ?? null))

interface Shared {
  readonly role: string
  readonly pid: number | null
}

/** CPU (ms) of each shared process over `seconds` of nothing of ours running; null entries when unreadable. */
async function idleWindow(shared: readonly Shared[], hz: number, seconds: number): Promise<{ ms: (number | null)[]; seconds: number }> {
  const before = shared.map((s) => ticksOf(s.pid))
  const started = performance.now()
  await sleep(seconds * 1000)
  const after = shared.map((s) => ticksOf(s.pid))
  const ms = shared.map((_, i) => {
    const [a, b] = [before[i], after[i]]
    return a === null || a === undefined || b === null || b === undefined ? null : ((b - a) / hz) * 1000
  })
  return { ms, seconds: (performance.now() - started) / 1000 }
}

/**
 * Measures Redis's and Kafka's idle rate for `idleSeconds`, then opens the window. Call before
 * the pipeline starts; `account` measures a second idle window once it has stopped.
 */
export async function startCpuWatch(config: BenchConfig, target: PipelineTarget, idleSeconds: number): Promise<CpuWatch> {
  const hz = clockTicksPerSecond()
  const shared: Shared[] = [
    { role: 'redis', pid: await redisPid(config.REDIS_URL) },
    { role: 'kafka', pid: kafkaPid() },
  ]
  const idleBefore = await idleWindow(shared, hz, idleSeconds)
  const windowStartedAt = performance.now()
  let windowSeconds = Number.NaN
  const tracks = new Tracks()
  for (const s of shared) if (s.pid !== null) tracks.add(s.pid, s.role, 'now')
  const database = databaseNameOf(target.databaseUrl)
  const server = createDb(config.DATABASE_URL, { poolSize: 1, applicationName: 'bench-cpu-watch' })
  let backendsSeen = 0
  const poll = async (zero: boolean): Promise<void> => {
    for (const backend of await readBenchBackends(server, database)) {
      if (!tracks.all.has(backend.pid)) backendsSeen += 1
      tracks.add(backend.pid, backendRole(backend.applicationName, backend.backendType), zero ? 'zero' : 'now')
    }
    tracks.sample()
  }
  await poll(false)
  let polling = true
  const loop = (async () => {
    while (polling) {
      await sleep(POLL_MS)
      // Backends first seen now began inside the window: all their CPU is the drain's.
      await poll(true).catch(() => undefined)
    }
  })()
  const close = async (): Promise<void> => {
    if (!polling) return
    polling = false
    await loop
    await poll(true).finally(() => closeDb(server))
    windowSeconds = (performance.now() - windowStartedAt) / 1000
  }
  return {
    addServices(services) {
      for (const service of services) if (service.cpuAtOpsUp !== null) tracks.add(service.pid, service.pkg, service.cpuAtOpsUp)
    },
    close,
    async account(events) {
      await close()
      const idleAfter = await idleWindow(shared, hz, idleSeconds)
      const rows = cpuRows([...tracks.all.values()], hz, events)
      const sharedRows = shared.map((s, i) => {
        const [before, after] = [idleBefore.ms[i], idleAfter.ms[i]]
        const known = before !== null && before !== undefined && after !== null && after !== undefined
        const usage = {
          grossMs: rows.find((r) => r.role === s.role)?.cpuMs ?? Number.NaN,
          idleMs: known ? before + after : Number.NaN,
          idleSeconds: idleBefore.seconds + idleAfter.seconds,
          windowSeconds,
        }
        return sharedCpu(s.role, s.pid, usage, events)
      })
      return pipelineCpu({ events, windowSeconds, clockTicksPerSecond: hz, backendsSeen }, rows, sharedRows)
    },
  }
}
