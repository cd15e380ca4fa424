/**
 * The driver's parser for `timestamptz` values, with a fast path for the one shape PostgreSQL
 * prints them in under DateStyle ISO: `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM]`. node-postgres runs
 * a regular expression per value and allocates its matches. (A read of many instants is better
 * off asking for epoch milliseconds, as the timeline does: no text for the server to format in
 * its time zone, no Date to build.) Anything else (infinity, BC, years past 9999 or before
 * 100, offsets with seconds) goes to node-postgres's own parser; `timestamptz.test.ts` holds the two
 * to the same result.
 */
import pg from 'pg'

export const TIMESTAMPTZ_OID = 1184

const parseAnyTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null

const ZERO = 48

/** The `count` decimal digits at `start`, or NaN when one is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0
  for (let i = start; i < start + count; i += 1) {
    const digit = text.charCodeAt(i) - ZERO
    if (!(digit >= 0 && digit <= 9)) return Number.NaN
    value = value * 10 + digit
  }
  return value
}

/** Epoch milliseconds of the ISO shape, or NaN when `text` has another. */
function fastEpochMs(text: string): number {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32) return Number.NaN
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return Number.NaN
  const year = digitsAt(text, 0, 4)
  // Date.UTC reads years 0-99 as 1900-1999.
  if (!(year >= 100)) return Number.NaN
  let at = 19
  let millis = 0
  if (text.charCodeAt(at) === 46) {
    // Milliseconds are the fraction's first three digits (JavaScript dates stop there; the rest is cut, as node-postgres cuts it).
    let scale = 100
    at += 1
    while (at < text.length) {
      const digit = text.charCodeAt(at) - ZERO
      if (!(digit >= 0 && digit <= 9)) break
      millis += digit * scale
      scale /= 10
      at += 1
    }
    millis = Math.trunc(millis)
  }
  const sign = text.charCodeAt(at) === 43 ? 1 : text.charCodeAt(at) === 45 ? -1 : 0
  if (sign === 0) return Number.NaN
  let offsetMinutes = digitsAt(text, at + 1, 2) * 60
  at += 3
  if (text.charCodeAt(at) === 58) {
    offsetMinutes += digitsAt(text, at + 1, 2)
    at += 3
  }
  if (at !== text.length) return Number.NaN
  const local = Date.UTC(
    year,
    digitsAt(text, 5, 2) - 1,
    digitsAt(text, 8, 2),
    digitsAt(text, 11, 2),
    digitsAt(text, 14, 2),
    digitsAt(text, 17, 2),
    millis,
  )
  return local - sign * offsetMinutes * 60_000
}

/** A `timestamptz` in PostgreSQL's text form as node-postgres parses it: a Date, ±Infinity or null. */
export function parseTimestamptz(text: string): Date | number | null {
  const epochMs = fastEpochMs(text)
  return Number.isNaN(epochMs) ? parseAnyTimestamptz(text) : new Date(epochMs)
}
