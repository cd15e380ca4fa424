/**
 * The array literals the batch statements send instead of the driver's: PostgreSQL must read
 * them back as exactly the values given, whatever the text holds.
 */
import t from 'tap'
import { sql } from 'kysely'
import { booleanArrayLiteral, numberArrayLiteral, textArrayLiteral } from '../src/array-literal.js'
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
})

t.test('numbers: float8 and bigint columns read them exactly; NaN and the infinities are refused', async (t) => {
  const ms = [1765000000000, 0, -1, 2 ** 53 - 1, 1.5]
  const { rows } = await sql<{ value: number[] }>`SELECT ${numberArrayLiteral(ms)}::float8[] AS value`.execute(db)
  t.same(rows[0]?.value, ms)
  const big = await sql<{ value: string[] }>`SELECT ${numberArrayLiteral([2 ** 53 - 1, -7])}::bigint[]::text[] AS value`.execute(db)
  t.same(big.rows[0]?.value, ['9007199254740991', '-7'])
  t.throws(() => numberArrayLiteral([1, Number.NaN]), RangeError)
  t.throws(() => numberArrayLiteral([Number.POSITIVE_INFINITY]), RangeError)
})

t.test('booleans', async (t) => {
  const flags = [true, false, false, true]
  const { rows } = await sql<{ value: boolean[] }>`SELECT ${booleanArrayLiteral(flags)}::boolean[] AS value`.execute(db)
  t.same(rows[0]?.value, flags)
})
