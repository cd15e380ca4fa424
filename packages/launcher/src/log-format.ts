/**
 * One readable line per child log line: a coloured, padded service name, then either the
 * pino record condensed (time, level, message, the remaining fields as compact JSON) or
 * the raw text when the line is not JSON.
 */
import { styleText } from 'node:util'
import type { Colour } from './services.js'

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
const LEVEL_COLOURS: Readonly<Record<string, Colour | 'red'>> = { WARN: 'yellow', ERROR: 'red', FATAL: 'red' }
/** pino's bookkeeping fields, shown elsewhere or not at all. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v'])

export interface FormatOptions {
  readonly colour: boolean
  readonly width: number
}

type Style = Parameters<typeof styleText>[0]
// The launcher decides about colour itself (TTY, NO_COLOR), so the stream check is off.
const paint = (style: Style, text: string, options: FormatOptions): string =>
  options.colour ? styleText(style, text, { validateStream: false }) : text

export function formatLine(service: string, colour: Colour, line: string, options: FormatOptions): string {
  const prefix = paint(colour, `${service.padEnd(options.width)} |`, options)
  const record = parseRecord(line)
  if (record === null) return `${prefix} ${line}`
  const level = LEVELS[Number(record['level'])] ?? String(record['level'] ?? '')
  const time = typeof record['time'] === 'number' ? new Date(record['time']).toISOString().slice(11, 23) : ''
  const levelText = LEVEL_COLOURS[level] === undefined ? level.padEnd(5) : paint(LEVEL_COLOURS[level], level.padEnd(5), options)
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => !HIDDEN.has(key)))
  const extra = Object.keys(rest).length === 0 ? '' : ` ${paint('gray', JSON.stringify(rest), options)}`
  return `${prefix} ${time} ${levelText} ${String(record['msg'] ?? '')}${extra}`
}

function parseRecord(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** Splits a byte stream into lines, keeping an unfinished tail for the next chunk. */
export function createLineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let tail = ''
  return {
    push(chunk) {
      const parts = (tail + chunk).split(/\r?\n/)
      tail = parts.pop() ?? ''
      for (const part of parts) if (part.length > 0) onLine(part)
    },
    end() {
      if (tail.length > 0) onLine(tail)
      tail = ''
    },
  }
}
