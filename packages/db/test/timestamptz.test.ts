/**
 * The timestamptz parser's fast path against node-postgres's own parser: the same result for
 * every text PostgreSQL prints (random instants, fractions of 0-6 digits, offsets of whole hours,
 * minutes and seconds), and for the shapes only the slow path takes (infinity, BC, years of 1, 2
 * or 5 digits). Then through a real server in zones whose offsets have minutes and seconds.
 */
import t from 'tap'
import fc from 'fast-check'
import pg from 'pg'
import { sql } from 'kysely'
import { TIMESTAMPTZ_OID, parseTimestamptz } from '../src/timestamptz.js'
import { createTestDatabase } from '../src/testing/index.js'

/** Fixed by default so every run is the same; PROPERTY_SEED explores others. Printed, so a failure can be repeated. */
const PROPERTY_SEED = Number(process.env['PROPERTY_SEED'] ?? 20261207)
t.comment(`property seed ${PROPERTY_SEED} (PROPERTY_SEED=${PROPERTY_SEED} repeats this run)`)

const reference = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null

/** What a parse gives, comparable: epoch ms of a Date, else the value itself. */
const value = (parsed: Date | number | null): number | null | string =>
  parsed instanceof Date ? (Number.isNaN(parsed.getTime()) ? 'Invalid Date' : parsed.getTime()) : parsed

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

const printed = fc
  .record({
    year: fc.integer({ min: 100, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.stringMatching(/^[0-9]{0,6}$/),
    sign: fc.constantFrom('+', '-'),
    offsetHours: fc.integer({ min: 0, max: 15 }),
    offsetMinutes: fc.constantFrom(0, 15, 30, 45, 59),
    offsetSeconds: fc.constantFrom(0, 0, 0, 32),
  })
  .map((p) => {
    const fraction = p.fraction === '' ? '' : `.${p.fraction}`
    const minutes = p.offsetMinutes === 0 && p.offsetSeconds === 0 ? '' : `:${pad(p.offsetMinutes, 2)}`
    const seconds = p.offsetSeconds === 0 ? '' : `:${pad(p.offsetSeconds, 2)}`
    return (
      `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)} ${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}` +
      `${fraction}${p.sign}${pad(p.offsetHours, 2)}${minutes}${seconds}`
    )
  })

t.test('every text PostgreSQL prints parses as node-postgres parses it', async (t) => {
  const failure = fc.check(
    fc.property(printed, (text) => value(parseTimestamptz(text)) === value(reference(text))),
    { numRuns: 20_000, seed: PROPERTY_SEED },
  )
  t.notOk(failure.failed, failure.failed ? `counterexample ${JSON.stringify(failure.counterexample)}` : 'no counterexample')
})

t.test('the shapes outside the fast path parse as node-postgres parses them', async (t) => {
  for (const text of [
    'infinity',
    '-infinity',
    '2026-12-07 12:34:56.5+00',
    '2026-12-07 12:34:56+05:30',
    '2026-12-07 12:34:56-03:30',
    '1900-01-01 00:00:00+00:19:32',
    '0001-01-01 00:00:00+00 BC',
    '0099-06-30 23:59:59.999999+00',
    '0001-01-01 00:00:00+00',
    '12026-01-01 00:00:00+00',
    '294276-12-31 23:59:59.999999+00',
  ]) {
    t.same(value(parseTimestamptz(text)), value(reference(text)), text)
  }
})

t.test('through PostgreSQL, in zones with minutes and seconds in their offsets', async (t) => {
  const { db } = await createTestDatabase(t)
  const instants = ['2026-12-07 12:34:56.123456+00', '2024-02-29 23:59:59.999+00', '1900-01-01 00:00:00+00', '0044-03-15 12:00:00+00']
  for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham']) {
    await db.connection().execute(async (connection) => {
      await sql`SELECT set_config('TimeZone', ${zone}, false)`.execute(connection)
      for (const instant of instants) {
        const { rows } = await sql<{ parsed: Date; text: string }>`
          SELECT ${instant}::timestamptz AS parsed, ${instant}::timestamptz::text AS text`.execute(connection)
        const row = rows[0]
        t.equal(value(row?.parsed ?? null), value(reference(row?.text ?? '')), `${instant} printed in ${zone} as ${row?.text}`)
      }
    })
  }
})
