/** A component that could not be brought up, with where to look. */
export class StackError extends Error {
  override name = 'StackError'

  constructor(
    readonly component: string,
    message: string,
    readonly logFile?: string,
    readonly logTail?: string,
  ) {
    super(`${component}: ${message}`)
  }
}

export type Progress = (line: string) => void

export const silent: Progress = () => undefined

export function describeFailure(error: unknown): string {
  if (!(error instanceof StackError)) return error instanceof Error ? (error.stack ?? error.message) : String(error)
  const lines = [`✗ ${error.message}`]
  if (error.logFile !== undefined) lines.push(`  log: ${error.logFile}`)
  if (error.logTail !== undefined && error.logTail !== '') {
    lines.push('  last lines of the log:', ...error.logTail.split('\n').map((l) => `    ${l}`))
  }
  return lines.join('\n')
}
