/**
 * The array literals the batch statements send instead of the driver's: PostgreSQL must read
 * them back as exactly the values given, whatever the text holds.
 */
import t from 'tap'
import { sql } from 'kysely'
import { booleanArrayLiteral, numberArrayLiteral, textArrayLiteral, timestampArrayLiteral } from '../src/array-literal.js'
import { createTestDatabase } from '../src/testing/index.js'

const { db } = await createTestDatabase(t)

t.test('text: PostgreSQL reads back every element as given, null as NULL', async (t) => {
  const values = [
    'plain',
    '',
    'NULL',
    'null',
    'with "quotes"',
    'back\\slash',
    '\\"both\\"',
    'comma,separated',
    '{braces}',
    ' leading and trailing blanks ',
    'tab\there\nnewline',
    'ünïcødé ✓ 参加者',
    null,
    '8f5c3c2e-6a8f-4a49-9a53-0c7b1e6a2f10',
  ]
  const { rows } = await sql<{ value: (string | null)[] }>`SELECT ${textArrayLiteral(values)}::text[] AS value`.execute(db)
  t.same(rows[0]?.value, values)
  const empty = await sql<{ n: number }>`SELECT cardinality(${textArrayLiteral([])}::text[]) AS n`.execute(db)
  t.equal(empty.rows[0]?.n, 0, 'an empty array')
  const ids = ['8f5c3c2e-6a8f-4a49-9a53-0c7b1e6a2f10', 'evt-1', 'x']
  t.equal(textArrayLiteral(ids), '{"8f5c3c2e-6a8f-4a49-9a53-0c7b1e6a2f10","evt-1","x"}', 'ids (nothing to escape, no null) as one join')
  const read = await sql<{ value: string[] }>`SELECT ${textArrayLiteral(ids)}::varchar[] AS value`.execute(db)
  t.same(read.rows[0]?.value, ids)
})

t.test('numbers: float8 and bigint columns read them exactly; NaN and the infinities are refused', async (t) => {
  const ms = [1765000000000, 0, -1, 2 ** 53 - 1, 1.5]
  const { rows } = await sql<{ value: number[] }>`SELECT ${numberArrayLiteral(ms)}::float8[] AS value`.execute(db)
  t.same(rows[0]?.value, ms)
  const big = await sql<{ value: string[] }>`SELECT ${numberArrayLiteral([2 ** 53 - 1, -7])}::bigint[]::text[] AS value`.execute(db)
  t.same(big.rows[0]?.value, ['9007199254740991', '-7'])
  const nullable = await sql<{ value: (number | null)[] }>`SELECT ${numberArrayLiteral([3, null, 0])}::integer[] AS value`.execute(db)
  t.same(nullable.rows[0]?.value, [3, null, 0], 'null as NULL')
  t.throws(() => numberArrayLiteral([1, Number.NaN]), RangeError)
  t.throws(() => numberArrayLiteral([Number.POSITIVE_INFINITY]), RangeError)
})

t.test('booleans', async (t) => {
  const flags = [true, false, false, true]
  const { rows } = await sql<{ value: boolean[] }>`SELECT ${booleanArrayLiteral(flags)}::boolean[] AS value`.execute(db)
  t.same(rows[0]?.value, flags)
})

t.test('instants: timestamptz reads each back to the millisecond, whatever the session time zone', async (t) => {
  const instants = [
    new Date('2024-06-03T09:30:00.000Z'),
    null,
    new Date('2000-01-01T00:00:00.001Z'),
    new Date('2024-03-31T01:59:59.999Z'), // a DST change in Europe
    new Date('9999-12-31T23:59:59.999Z'),
    new Date('0001-01-01T00:00:00.000Z'),
  ]
  for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
    const { rows } = await db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('TimeZone', ${zone}, true)`.execute(trx)
      return sql<{ value: (string | null)[] }>`
        SELECT array_agg(CASE WHEN v IS NULL THEN NULL ELSE (extract(epoch FROM v) * 1000)::bigint::text END ORDER BY n) AS value
        FROM unnest(${timestampArrayLiteral(instants)}::timestamptz[]) WITH ORDINALITY AS u(v, n)`.execute(trx)
    })
    t.same(
      rows[0]?.value,
      instants.map((instant) => (instant === null ? null : String(instant.getTime()))),
      zone,
    )
  }
  t.throws(() => timestampArrayLiteral([new Date(Number.NaN)]), RangeError, 'an invalid Date')
  t.throws(() => timestampArrayLiteral([new Date('+010000-01-01T00:00:00.000Z')]), RangeError, 'year 10000')
  t.throws(() => timestampArrayLiteral([new Date('-000001-01-01T00:00:00.000Z')]), RangeError, 'a year before 1')
})
