/** The real services as child processes (built dist when present, else tsx), with memory sampling. */
import { setTimeout as sleep } from 'node:timers/promises'
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { packageDir, RESULTS_DIR } from './paths.js'
import { readProcCpu, type ProcCpu } from './proc-cpu.js'
import { sampleMemory } from './rss.js'

export interface RunningService {
  readonly name: string
  /** The package it runs (`ingest-worker`, `aggregator`, `query-api`, `bench`). */
  readonly pkg: string
  readonly pid: number
  /** Prometheus text of the service's /metrics (empty when it has none). */
  metrics(): Promise<string>
  /**
   * CPU reading (/proc) when the ops port first answered (any status): module loading is left
   * out of a CPU window, the dependency checks and the consumer's join (which may already
   * fetch, before /ready says 200) are in.
   */
  readonly cpuAtOpsUp: ProcCpu | null
  /** Highest resident set seen so far, MiB. */
  peakMb(): Promise<number>
  stop(): Promise<void>
}

/** `node dist/<entry>.js` when built, else `node --import tsx` on the TS source. */
export function commandFor(pkg: string, entry: string): { args: string[]; cwd: string; runner: 'dist' | 'tsx' } {
  const cwd = packageDir(pkg)
  const dist = join(cwd, 'dist', `${entry}.js`)
  if (process.env['BENCH_RUNNER'] !== 'tsx' && existsSync(dist)) return { args: [dist], cwd, runner: 'dist' }
  return { args: ['--import', 'tsx', '--conditions=event-analytics-source', join('src', `${entry}.ts`)], cwd, runner: 'tsx' }
}

export interface StartOptions {
  readonly pkg: string
  readonly entry?: string
  /** Arguments after the entry (a command line tool run as a service: `rebuild run --set x`). */
  readonly args?: readonly string[]
  readonly label: string
  readonly env: Record<string, string>
  /** Variables of the bench's own environment the child must not inherit. */
  readonly unsetEnv?: readonly string[] | undefined
  /** URL answering 200 once the service is ready. */
  readonly readyUrl: string
}

export async function startService(options: StartOptions): Promise<RunningService> {
  const { args, cwd } = commandFor(options.pkg, options.entry ?? 'main')
  mkdirSync(join(RESULTS_DIR, 'logs'), { recursive: true })
  const log = createWriteStream(join(RESULTS_DIR, 'logs', `${options.label}.log`))
  const unset = new Set(options.unsetEnv ?? [])
  const merged: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...options.env }
  const env = Object.fromEntries(Object.entries(merged).filter(([name]) => !unset.has(name)))
  const child = spawn(process.execPath, [...args, ...(options.args ?? [])], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Both streams write the one log, so neither may end it: a child's stdout closing first would
  // cut off what it still says on stderr (why it died, above all). 'close' follows both.
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  const logWritten = new Promise<void>((resolve) => log.once('close', () => resolve()))
  child.once('close', () => log.end())
  const pid = child.pid
  if (pid === undefined) throw new Error(`${options.label}: could not spawn`)
  const memory = sampleMemory(pid)
  let cpuAtOpsUp: ProcCpu | null = null
  const service: RunningService = {
    get cpuAtOpsUp() {
      return cpuAtOpsUp
    },
    name: options.label,
    pkg: options.pkg,
    pid,
    metrics: async () =>
      fetch(options.readyUrl.replace(/\/ready$/, '/metrics')).then(
        (r) => (r.ok ? r.text() : ''),
        () => '',
      ),
    peakMb: async () => (await memory.peakKb()) / 1024,
    async stop() {
      memory.stop()
      await stopChild(child)
      await logWritten
    },
  }
  try {
    await waitReady(child, options.readyUrl, options.label, () => {
      cpuAtOpsUp ??= readProcCpu(pid)
    })
  } catch (error) {
    await service.stop()
    throw error
  }
  return service
}

async function waitReady(child: ChildProcess, url: string, label: string, onAnswer: () => void, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${label} exited with ${child.exitCode} before ready (see bench-results/logs/${label}.log)`)
    const ok = await fetch(url).then(
      (r) => {
        onAnswer()
        return r.ok
      },
      () => false,
    )
    if (ok) return
    await sleep(200)
  }
  throw new Error(`${label} not ready at ${url} after ${timeoutMs} ms`)
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}
