/**
 * pnpm stack up|down|status
 * Exit codes: 0 success / everything running; 1 a component failed; 2 usage; 3 (status) something is not running.
 */
import { describeFailure } from './errors.js'
import type { ComponentStatus } from './managed.js'
import { stackDown, stackStatus, stackUp } from './stack.js'

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

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up':
      await stackUp({ progress })
      return 0
    case 'down':
      await stackDown({ progress })
      return 0
    case 'status':
      return printStatus(await stackStatus()) ? 0 : 3
    default:
      process.stderr.write('usage: pnpm stack up|down|status\n')
      return 2
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    printFailure(error)
    process.exitCode = 1
  },
)
