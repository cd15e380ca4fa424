/**
 * Array parameters as PostgreSQL array literals, built here rather than by node-postgres.
 *
 * The batch statements send arrays with one element per message (the claim's ids, the
 * registration log's four columns) and one per event, channel and hour of the batch (the upserts'
 * columns). node-postgres turns a JavaScript array into a literal through a type dispatch and two
 * regex replaces per element, each making strings of its own, and formats a Date field by field
 * in local time: about 210 CPU-ns an id, 350 a number on this project's machine, against 60 and
 * 140 here. PostgreSQL reads each literal as it reads the driver's (numbers unquoted, instants
 * in ISO 8601 UTC instead of local time), so a statement keeps its `::text[]` / `::float8[]` /
 * `::timestamptz[]` cast and reads the same values.
 *
 * Only for the element types below: text (quoted, `"` and `\` escaped), finite numbers, booleans
 * and instants of years 0001-9999, each with null as NULL. Anything else goes through the driver
 * as before.
 */

const NEEDS_ESCAPE = /["\\]/
const ESCAPED = /["\\]/g

/** `{"a","b\"c",NULL}`: every element quoted, so commas, braces, blanks and the word NULL stay text. */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  // Most arrays (ids) hold no null and nothing to escape: one join makes one flat string.
  if (values.every((value) => typeof value === 'string' && !NEEDS_ESCAPE.test(value))) {
    return values.length === 0 ? '{}' : `{"${values.join('","')}"}`
  }
  let literal = '{'
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (i > 0) literal += ','
    if (value === null || value === undefined) literal += 'NULL'
    else literal += `"${NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, '\\$&') : value}"`
  }
  return `${literal}}`
}

/** `{1,2.5,-3,NULL}`. Throws on NaN and the infinities, which integer columns cannot read. */
export function numberArrayLiteral(values: readonly (number | null)[]): string {
  let nulls = false
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (value === null || value === undefined) nulls = true
    else if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`)
  }
  // One join when there is no null (join would write a null as an empty element, not NULL).
  return `{${(nulls ? values.map((value) => value ?? 'NULL') : values).join(',')}}`
}

/** `{t,f}`. */
export function booleanArrayLiteral(values: readonly boolean[]): string {
  let literal = '{'
  for (let i = 0; i < values.length; i++) literal += (i > 0 ? ',' : '') + (values[i] === true ? 't' : 'f')
  return `${literal}}`
}

/** The first and last instant whose ISO 8601 form has a four-digit year, which PostgreSQL reads. */
const FIRST_ISO_INSTANT = Date.parse('0001-01-01T00:00:00.000Z')
const LAST_ISO_INSTANT = Date.parse('9999-12-31T23:59:59.999Z')

/**
 * `{2024-06-03T09:30:00.000Z,NULL}`: each instant in UTC to the millisecond (all a Date holds).
 * Throws on an invalid Date and on years outside 0001-9999 (written with a sign and six digits,
 * which PostgreSQL does not read); the ingest worker's validation keeps instants inside them.
 */
export function timestampArrayLiteral(values: readonly (Date | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : isoInstant(value))).join(',')}}`
}

function isoInstant(value: Date): string {
  const time = value.getTime()
  if (!(time >= FIRST_ISO_INSTANT && time <= LAST_ISO_INSTANT)) throw new RangeError(`not an instant of years 0001-9999: ${String(value)}`)
  return value.toISOString()
}
