/**
 * docs/SPEC.md section 6, worked examples, through the one implementation (the figures_* SQL
 * functions of migration 0006). The property test compares them with a reference over random
 * inputs; these pin the cases a reader checks by hand.
 */
import t from 'tap'
import { sql } from 'kysely'
import { createTestDatabase } from '../src/testing/index.js'

const { db } = await createTestDatabase(t)

async function value(call: ReturnType<typeof sql.raw>): Promise<string | null> {
  const { rows } = await sql<{ value: string | null }>`SELECT (${call})::text AS value`.execute(db)
  return rows[0]!.value
}
const f = (text: string) => value(sql.raw(text))

t.test('estimated revenue scales expected revenue by participants, half-up', async (t) => {
  t.equal(await f('figures_estimated_revenue(3000.00, 30, 100)'), '900.00')
  t.equal(await f('figures_estimated_revenue(100.00, 1, 3)'), '33.33')
  t.equal(await f('figures_estimated_revenue(100.00, 2, 3)'), '66.67', 'half-up on the cent')
  t.equal(await f('figures_estimated_revenue(0.01, 1, 2)'), '0.01', '0.005 rounds up')
  t.equal(await f('figures_estimated_revenue(1500.00, 99, 0)'), '1500.00', 'expectedParticipants 0: expected revenue')
  t.equal(await f('figures_estimated_revenue(1500.00, 99, NULL)'), '1500.00', 'expectedParticipants null: expected revenue')
  t.equal(await f('figures_estimated_revenue(9999999999999.99, 1000000, 1)'), '9999999999999990000.00', 'no overflow')
  t.equal(
    await f('figures_estimated_revenue(9999999999999.99, 9007199254740991, 2147483647)'),
    '41943040019531203409.44',
    'int4 x 2 is no overflow',
  )
})

t.test('estimated ROI is signed, 0 without investment', async (t) => {
  t.equal(await f('figures_estimated_roi(900.00, 1500.00)'), '-40.00')
  t.equal(await f('figures_estimated_roi(3000.00, 1500.00)'), '100.00')
  t.equal(await f('figures_estimated_roi(1000.00, 3.00)'), '33233.33')
  t.equal(await f('figures_estimated_roi(2.00, 3.00)'), '-33.33', 'negative rounds half away from zero')
  t.equal(await f('figures_estimated_roi(500.00, 0)'), '0.00')
  t.equal(await f('figures_estimated_roi(0.00, 0.00)'), '0.00')
})

t.test('achievement rate is null for a zero target', async (t) => {
  t.equal(await f('figures_roi_achievement_rate(-40.00, 50.00)'), '-80.00')
  t.equal(await f('figures_roi_achievement_rate(10.00, 30.00)'), '33.33')
  t.equal(await f('figures_roi_achievement_rate(10.00, -30.00)'), '-33.33', 'a negative target flips the sign')
  t.equal(await f('figures_roi_achievement_rate(10.00, 0.00)'), null)
})

t.test('rates and unit costs give null for a zero denominator', async (t) => {
  t.equal(await f('figures_percent(1, 3)'), '33.33')
  t.equal(await f('figures_percent(2, 3)'), '66.67')
  t.equal(await f('figures_percent(1, 8)'), '12.50')
  t.equal(await f('figures_percent(1, 20000)'), '0.01', '0.005 rounds up')
  t.equal(await f('figures_percent(1, 20001)'), '0.00')
  t.equal(await f('figures_percent(1, 200000)'), '0.00')
  t.equal(await f('figures_percent(1, 400)'), '0.25')
  t.equal(await f('figures_percent(5, 0)'), null)
  t.equal(await f('figures_cost_per(100.00, 3)'), '33.33')
  t.equal(await f('figures_cost_per(100.00, 0)'), null)
  t.equal(await f('figures_engagement(10, 4, 1)'), '15')
})

t.test('the functions are immutable and parallel safe (inlined, usable in indexes), but total_views and the refresh', async (t) => {
  const { rows } = await sql<{ proname: string; provolatile: string; proparallel: string }>`
    SELECT proname, provolatile, proparallel FROM pg_proc WHERE proname LIKE 'figures\\_%' ORDER BY proname`.execute(db)
  const kinds = Object.fromEntries(rows.map((row) => [row.proname, `${row.provolatile}${row.proparallel}`]))
  t.equal(kinds['figures_total_views'], 'ss', 'reads channel_stats: stable')
  t.equal(kinds['figures_refresh_events'], 'vu', 'writes: volatile')
  const scalar = rows.filter((row) => !['figures_total_views', 'figures_refresh_events'].includes(row.proname))
  t.equal(scalar.length, 10)
  for (const row of scalar) t.equal(`${row.provolatile}${row.proparallel}`, 'is', `${row.proname} IMMUTABLE PARALLEL SAFE`)
})
