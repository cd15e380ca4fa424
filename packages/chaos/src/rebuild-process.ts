/**
 * `pnpm run rebuild run --set NAME` as a child process of the suite (`node --import tsx` on the
 * rebuild's cli.ts, so the pid is the run itself and SIGKILL reaches its ingest worker and aggregator
 * at once). Its stdout is kept for the lines it reports ("created", "resuming", "caught up") and,
 * with its stderr, appended to a log file in the run's directory.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { exited, isRunning, type Exit } from './infra/proc.js'

export interface RebuildProcess {
  readonly child: ChildProcess
  readonly exit: Promise<Exit>
  /** Everything it printed to stdout so far. */
  output(): string
  /** Resolves once stdout matches `pattern`; rejects when the run exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>
}

export interface RebuildProcessOptions {
  readonly repoRoot: string
  readonly set: string
  /** Laid over this process's environment. */
  readonly env: Readonly<Record<string, string>>
  readonly logFile: string
}

export function startRebuildProcess(options: RebuildProcessOptions): RebuildProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' })
  const child = spawn(
    process.execPath,
    ['--conditions=event-analytics-source', '--import', 'tsx', 'src/cli.ts', 'run', '--set', options.set],
    { cwd: join(options.repoRoot, 'packages', 'rebuild'), env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  // Registered before any waiter's listener, so a waiter sees the chunk already appended.
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    log.write(chunk)
  })
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk))
  const exit = exited(child)
  void exit.then(() => log.end())
  return {
    child,
    exit,
    output: () => output,
    waitForOutput: (pattern, timeoutMs) => waitForOutput(child, () => output, pattern, timeoutMs),
  }
}

function waitForOutput(child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer)
      child.stdout?.off('data', check)
      child.off('exit', onExit)
      if (error === undefined) resolve()
      else reject(error)
    }
    const check = (): void => {
      if (pattern.test(output())) finish()
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      finish(new Error(`the rebuild exited (code ${code}, signal ${signal}) before printing ${String(pattern)}: ${tail(output())}`))
    const timer = setTimeout(
      () => finish(new Error(`the rebuild printed no ${String(pattern)} within ${timeoutMs} ms: ${tail(output())}`)),
      timeoutMs,
    )
    child.stdout?.on('data', check)
    child.once('exit', onExit)
    if (pattern.test(output())) finish()
    else if (!isRunning(child)) onExit(child.exitCode, child.signalCode)
  })
}

/** The last lines a run printed, for a problem's text. */
export function tail(text: string, lines = 3): string {
  const last = text.trimEnd().split('\n').slice(-lines).join(' | ')
  return last === '' ? '(nothing printed)' : last
}
