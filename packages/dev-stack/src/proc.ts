/** Detached child processes tracked by pid files, and stopping them politely. */
import { setTimeout as sleep } from 'node:timers/promises'
import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

const exited = new Set<number>()

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/** Alive and (when given) its command line contains `marker`, so a recycled pid is not mistaken for ours. */
export function isAlive(pid: number, marker?: string): boolean {
  if (exited.has(pid)) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const procFile = `/proc/${pid}/cmdline`
  if (marker === undefined || !existsSync(procFile)) return true
  try {
    const cmdline = readFileSync(procFile, 'utf8')
    return cmdline !== '' && cmdline.includes(marker)
  } catch {
    return false
  }
}

export interface DetachedOptions {
  cwd: string
  logFile: string
  pidFile: string
  env?: NodeJS.ProcessEnv
}

/** Starts a process in its own process group, output appended to logFile; it outlives this process. */
export function spawnDetached(command: string, args: string[], options: DetachedOptions): number {
  mkdirSync(dirname(options.logFile), { recursive: true })
  mkdirSync(dirname(options.pidFile), { recursive: true })
  const fd = openSync(options.logFile, 'a')
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    })
    if (child.pid === undefined) throw new Error(`could not start ${command}`)
    const pid = child.pid
    child.on('exit', () => exited.add(pid))
    child.on('error', () => exited.add(pid))
    child.unref()
    writeFileSync(options.pidFile, `${pid}\n`)
    return pid
  } finally {
    closeSync(fd)
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true
    await sleep(200)
  }
  return !isAlive(pid)
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig) // the whole process group we created with detached: true
  } catch {
    try {
      process.kill(pid, sig)
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL after timeoutMs. Returns how it ended. */
export async function stopProcess(pid: number, timeoutMs: number): Promise<'terminated' | 'killed' | 'not running'> {
  if (!isAlive(pid)) return 'not running'
  signal(pid, 'SIGTERM')
  if (await waitGone(pid, timeoutMs)) return 'terminated'
  signal(pid, 'SIGKILL')
  await waitGone(pid, 5_000)
  return 'killed'
}

export function removeFile(path: string): void {
  rmSync(path, { force: true })
}

/** Last `lines` lines of a text file ('' if it does not exist). */
export function tailFile(path: string, lines = 30): string {
  if (!existsSync(path)) return ''
  const text = readFileSync(path, 'utf8')
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n')
    .trimEnd()
}
