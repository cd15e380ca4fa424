/**
 * CSV renderings of the timeline and the channel table (RFC 4180: CRLF, quoted when needed),
 * for spreadsheets: a UTF-8 BOM so Excel reads Korean titles right, money and rates as the
 * API's plain decimals ("1500.00", no grouping, no currency sign), times as local wall-clock
 * time in the requested zone with its offset, empty cells for nulls.
 */
import { localParts } from './timeline.js'

export const CSV_BOM = '\uFEFF'
/** A decimal the API rendered ("-40.00"): written as is, a number to the spreadsheet, never text to defuse. */
export interface DecimalCell {
  readonly decimal: string
}
export type Cell = string | number | boolean | null | DecimalCell

/** Text cells that a spreadsheet would run as a formula are defused with a leading quote (OWASP CSV injection). */
function textCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

function cell(value: Cell): string {
  if (value === null) return ''
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'object') return /^-?\d+(\.\d+)?$/.test(value.decimal) ? value.decimal : textCell(value.decimal)
  return textCell(value)
}

export const decimalCell = (value: string | null): Cell => (value === null ? null : { decimal: value })

export function csvDocument(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = [header.map(cell).join(','), ...rows.map((row) => row.map(cell).join(','))]
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`
}

const pad = (value: number): string => String(value).padStart(2, '0')

/** `2026-03-08 00:00+09:00`: the instant as wall-clock time in `zone`, with the offset (unambiguous across DST). */
export function localTime(iso: string, zone: string): string {
  const instant = new Date(iso)
  const p = localParts(instant, zone)
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  const offsetMinutes = Math.round((wall - Math.floor(instant.getTime() / 1000) * 1000) / 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}
