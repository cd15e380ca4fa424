/**
 * The services under test as real child processes (`node --import tsx` on their main.ts, so
 * the pid is the service itself and SIGKILL reaches it). A service that dies on its own is
 * restarted, as an orchestrator would, and the exit is recorded.
 */
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { exited, isRunning, spawnLogged, stopChild, waitFor, type Exit } from './infra/proc.js'

export type ServiceName = 'ingest-worker' | 'aggregator' | 'query-api' | 'webhook-dispatcher'

export interface UnexpectedExit {
  readonly service: ServiceName
  readonly exit: Exit
  readonly at: number
}

export interface Service {
  readonly name: ServiceName
  /** Base URL of /health, /ready, /metrics. */
  readonly opsUrl: string
  readonly pid: number | undefined
  start(): Promise<void>
  /** SIGKILL and wait for the exit (no restart: the caller decides when). */
  kill(): Promise<Exit>
  /** SIGTERM; resolves with the exit. */
  stop(): Promise<Exit | undefined>
}

export interface ServiceOptions {
  readonly repoRoot: string
  readonly logDir: string
  readonly env: Record<string, string>
  readonly opsPort: number
  readonly onUnexpectedExit: (exit: UnexpectedExit) => void
  /** Log file name when several instances of one service run (default: the service's name). */
  readonly label?: string
}

export function createService(name: ServiceName, options: ServiceOptions): Service {
  const opsUrl = `http://127.0.0.1:${options.opsPort}`
  let child: ChildProcess | undefined
  // Exits we caused (kill/stop) are expected; anything else triggers a restart.
  let expected = false
  const spawnChild = (): ChildProcess => {
    const started = spawnLogged(
      process.execPath,
      ['--conditions=event-analytics-source', '--import', 'tsx', 'src/main.ts'],
      join(options.logDir, `${options.label ?? name}.log`),
      {
        cwd: join(options.repoRoot, 'packages', name),
        env: { ...process.env, ...options.env, LOG_LEVEL: 'warn', NODE_ENV: 'development' },
      },
    )
    started.once('exit', (code, signal) => {
      if (expected || started !== child) return
      options.onUnexpectedExit({ service: name, exit: { code, signal }, at: Date.now() })
      setTimeout(() => {
        if (!expected && child === started) child = spawnChild()
      }, 1000)
    })
    return started
  }
  return {
    name,
    opsUrl,
    get pid() {
      return isRunning(child) ? child?.pid : undefined
    },
    async start() {
      expected = false
      child = spawnChild()
      await waitFor(
        `${name} /health`,
        async () => {
          const response = await fetch(`${opsUrl}/health`, { signal: AbortSignal.timeout(1000) })
          return response.ok ? true : undefined
        },
        60_000,
        200,
      )
    },
    async kill() {
      expected = true
      const current = child
      if (current === undefined || !isRunning(current)) return { code: current?.exitCode ?? null, signal: current?.signalCode ?? null }
      const done = exited(current)
      current.kill('SIGKILL')
      return done
    },
    async stop() {
      expected = true
      return stopChild(child, 20_000)
    },
  }
}
