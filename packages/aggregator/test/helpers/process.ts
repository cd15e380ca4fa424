/** The real entry point (src/main.ts) as a child process, as the crash and concurrency tests run it. */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))

/**
 * `node --import tsx` (not the tsx CLI): the child's pid is the aggregator itself, so a
 * SIGKILL reaches it. Its stderr is inherited, so a crash is visible in the test output.
 */
export function spawnAggregator(env: Record<string, string>, options: { captureLogs?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, ['--conditions=event-analytics-source', '--import', 'tsx', 'src/main.ts'], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', options.captureLogs === true ? 'pipe' : 'ignore', 'inherit'],
  })
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}
