import { pino, type Logger, type LevelWithSilent } from 'pino'

export type { Logger }

/**
 * Structured logs. Quiet by default under the test runner (tap sets TAP=1) so test
 * output stays readable; LOG_LEVEL always wins.
 */
export function createLogger(name: string, level?: LevelWithSilent): Logger {
  const fallback: LevelWithSilent = process.env['TAP'] === '1' ? 'silent' : 'info'
  const configured = (level ?? process.env['LOG_LEVEL'] ?? fallback) as LevelWithSilent
  return pino({ name, level: configured })
}
