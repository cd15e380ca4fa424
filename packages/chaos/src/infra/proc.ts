/**
 * Child processes of the suite: started by us, tracked by pid, stopped by pid only (never by
 * name: other engineers' processes run on the same machine).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { openSync, closeSync } from 'node:fs'
import { retry } from '@event-analytics/ops'

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** Spawns with stdout/stderr appended to `logFile`. */
export function spawnLogged(command: string, args: readonly string[], logFile: string, options: SpawnOptions = {}): ChildProcess {
  const fd = openSync(logFile, 'a')
  try {
    const child = spawn(command, [...args], { ...options, stdio: ['ignore', fd, fd] })
    if (child.pid === undefined) throw new Error(`could not start ${command}`)
    return child
  } finally {
    closeSync(fd)
  }
}

export function exited(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

export const isRunning = (child: ChildProcess | undefined): boolean =>
  child !== undefined && child.exitCode === null && child.signalCode === null

/** SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 15_000): Promise<Exit | undefined> {
  if (child === undefined) return undefined
  if (!isRunning(child)) return { code: child.exitCode, signal: child.signalCode }
  const done = exited(child)
  child.kill('SIGTERM')
  const timer = setTimeout(() => {
    if (isRunning(child)) child.kill('SIGKILL')
  }, graceMs)
  try {
    return await done
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `probe` every `everyMs` until it returns a value; throws naming `what` (and the probe's last error) after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  let last: unknown
  const poll = async (): Promise<T> => {
    const value = await probe().catch((error: unknown) => {
      last = error
      return undefined
    })
    if (value === undefined) throw new Error(`${what} not there yet`)
    return value
  }
  try {
    return await retry(poll, { attempts: Infinity, deadlineMs: timeoutMs, backoff: { initialMs: everyMs, factor: 1, jitter: false } })
  } catch {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}`)
  }
}
