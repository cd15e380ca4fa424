/** A logger for tests that keeps its lines and announces them, so a test can wait for a line instead of for time. */
import { EventEmitter } from 'node:events'
import { pino, type Logger } from 'pino'

export interface LoggedLine {
  readonly level: number
  readonly msg: string
  readonly [field: string]: unknown
}

export interface WatchedLogger {
  readonly logger: Logger
  readonly lines: readonly LoggedLine[]
  /** The first line (already written or yet to come) whose message matches. */
  next(pattern: RegExp): Promise<LoggedLine>
}

export function watchedLogger(level: 'info' | 'debug' = 'info'): WatchedLogger {
  const lines: LoggedLine[] = []
  const written = new EventEmitter()
  const logger: Logger = pino(
    { level },
    {
      write: (text: string) => {
        const line = JSON.parse(text) as LoggedLine
        lines.push(line)
        written.emit('line', line)
      },
    },
  )
  return {
    logger,
    lines,
    async next(pattern) {
      const seen = lines.find((line) => pattern.test(line.msg))
      if (seen !== undefined) return seen
      return new Promise((resolve) => {
        const listener = (line: LoggedLine): void => {
          if (!pattern.test(line.msg)) return
          written.off('line', listener)
          resolve(line)
        }
        written.on('line', listener)
      })
    },
  }
}
