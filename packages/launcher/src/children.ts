/** Child processes: spawn with prefixed log lines, wait for readiness, stop gracefully. */
import { setTimeout as sleep } from 'node:timers/promises'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serviceNodeOptions } from '@event-analytics/ops'
import { createLineSplitter, formatLine, type FormatOptions } from './log-format.js'
import { stoppedWithThisProcess } from './parent-death.js'
import { commandOf, type ServiceSpec } from './services.js'

export interface Child {
  readonly spec: ServiceSpec
  readonly process: ChildProcess
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>
}

export function packageScript(packagesRoot: string, spec: ServiceSpec): string {
  const manifest = JSON.parse(readFileSync(join(packagesRoot, spec.packageDir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>
  }
  const script = manifest.scripts?.[spec.script]
  if (script === undefined) throw new Error(`packages/${spec.packageDir} has no "${spec.script}" script`)
  return script
}

export function startChild(packagesRoot: string, spec: ServiceSpec, format: FormatOptions, write: (line: string) => void): Child {
  const cwd = join(packagesRoot, spec.packageDir)
  const { bin, args } = commandOf(packageScript(packagesRoot, spec), spec.args)
  const command = stoppedWithThisProcess({ file: join(cwd, 'node_modules', '.bin', bin), args })
  // Own process group: a Ctrl-C in the terminal reaches only the launcher, which then
  // stops the children one by one in reverse start order.
  const child = spawn(command.file, command.args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The V8 options a deployed service runs with (compose), so a local run uses memory as one does.
    env: { ...process.env, NODE_OPTIONS: serviceNodeOptions(process.env['NODE_OPTIONS']) },
  })
  for (const stream of [child.stdout, child.stderr]) {
    const splitter = createLineSplitter((line) => write(formatLine(spec.name, spec.colour, line, format)))
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => splitter.push(chunk))
    stream.on('end', () => splitter.end())
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
    child.once('error', (error) => {
      write(formatLine(spec.name, spec.colour, `failed to start: ${error.message}`, format))
      resolve('spawn-error')
    })
  })
  return { spec, process: child, exited }
}

/** SIGTERM, then SIGKILL after `graceMs` if the child has not exited. */
export async function stopChild(child: Child, graceMs: number): Promise<number | string> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited
  child.process.kill('SIGTERM')
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs)
  const result = await child.exited
  clearTimeout(timer)
  return result
}

/** The child ended before it answered ready: during start-up, worth starting again. */
export class ExitedBeforeReadyError extends Error {
  override name = 'ExitedBeforeReadyError'
  constructor(
    readonly service: string,
    readonly result: number | string,
  ) {
    super(`${service} exited before it was ready (${result})`)
  }
}

/**
 * Polls `url` until it answers 2xx. Rejects when the child exits first or after
 * `timeoutMs`; `onWait` reports progress (seconds waited, last answer).
 */
export async function waitReady(
  child: Child,
  url: string,
  timeoutMs: number,
  onWait: (seconds: number, last: string) => void,
): Promise<void> {
  const started = Date.now()
  let exited: number | string | undefined
  void child.exited.then((result) => void (exited = result))
  let lastReport = started
  let last = 'no answer yet'
  while (Date.now() - started < timeoutMs) {
    if (exited !== undefined) throw new ExitedBeforeReadyError(child.spec.name, exited)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (response.ok) return
      last = `HTTP ${response.status} ${(await response.text()).slice(0, 200)}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now()
      onWait(Math.round((Date.now() - started) / 1000), last)
    }
    await sleep(500)
  }
  throw new Error(`${child.spec.name} not ready at ${url} after ${timeoutMs / 1000} s (${last})`)
}
