/**
 * pnpm stack up [--refuse-foreign] | down [kafka] [registry] | status | browser
 * (`browser`: installs the browser tests' Chromium when it is missing and prints its path.)
 * Exit codes: 0 success / everything running; 1 a component failed; 2 usage; 3 (status) something is not running.
 */
import { ensureChromium } from './browser.js'
import { describeFailure } from './errors.js'
import type { ComponentStatus } from './managed.js'
import { MANAGED_COMPONENTS, stackDown, stackStatus, stackUp } from './stack.js'

const progress = (line: string): void => {
  process.stdout.write(`[stack] ${line}\n`)
}

function printStatus(statuses: ComponentStatus[]): boolean {
  const width = Math.max(...statuses.map((s) => s.name.length))
  for (const s of statuses) {
    const pid = s.pid === undefined ? '' : ` pid ${s.pid}`
    const detail = s.detail === undefined ? '' : ` (${s.detail})`
    process.stdout.write(`${s.name.padEnd(width)}  ${s.state.padEnd(8)} ${s.address}${pid}${detail}\n`)
  }
  return statuses.every((s) => s.state === 'running' || s.state === 'external')
}

function printFailure(error: unknown): void {
  const errors = error instanceof AggregateError ? (error.errors as unknown[]) : [error]
  for (const e of errors) process.stderr.write(`${describeFailure(e)}\n`)
}

const USAGE = `usage: pnpm stack up [--refuse-foreign] | down [${MANAGED_COMPONENTS.join('] [')}] | status | browser\n`

async function main(command: string | undefined, args: string[]): Promise<number> {
  if (command === 'up' && args.every((arg) => arg === '--refuse-foreign')) {
    await stackUp({ progress, foreign: args.length > 0 ? 'refuse' : 'use' })
    return 0
  }
  if (command === 'down' && args.every((arg) => (MANAGED_COMPONENTS as readonly string[]).includes(arg))) {
    await stackDown({ progress, ...(args.length > 0 ? { only: args } : {}) })
    return 0
  }
  if (command === 'status' && args.length === 0) return printStatus(await stackStatus()) ? 0 : 3
  if (command === 'browser' && args.length === 0) {
    progress(`✓ chromium at ${ensureChromium(progress)}`)
    return 0
  }
  process.stderr.write(USAGE)
  return 2
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    printFailure(error)
    process.exitCode = 1
  },
)
