/**
 * Property: any stream (duplicates, reordering across topics, late data, participants before
 * their event), cut into any batches with some replayed, applied through the real apply path
 * on real PostgreSQL, gives exactly the naive reference, column by column.
 */
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import fc from 'fast-check'
import { createTestDatabase } from '@event-analytics/db/testing'
import { commitMessages } from '../src/apply.js'
import { reference } from './helpers/reference.js'
import { scenarioArb } from './helpers/streams.js'
import { readTables, sortTables } from './helpers/tables.js'

/** Fixed by default so every run is the same; PROPERTY_SEED explores others. Printed, so a failure can be repeated. */
const PROPERTY_SEED = Number(process.env['PROPERTY_SEED'] ?? 20261206)
t.comment(`property seed ${PROPERTY_SEED} (PROPERTY_SEED=${PROPERTY_SEED} repeats this run)`)

t.test('folded projections equal the reference for random streams and batchings', async (t) => {
  const { db } = await createTestDatabase(t)
  let run = 0
  await fc.assert(
    fc.asyncProperty(
      scenarioArb(() => `r${(run += 1)}-`),
      async ({ batches, stream }) => {
        for (const batch of batches) await commitMessages(db, batch)
        const expected = reference(stream)
        const actual = sortTables(
          await readTables(
            db,
            expected.events.map((row) => row.event_id),
          ),
        )
        const equal = isDeepStrictEqual(actual, sortTables(expected))
        // Only a failing run is reported by tap (with its diff); fast-check then shrinks it.
        if (!equal) t.strictSame(actual, sortTables(expected), 'projections differ from the reference')
        return equal
      },
    ),
    { numRuns: 40, endOnFailure: true, seed: PROPERTY_SEED },
  )
  t.pass('40 random streams folded to the reference')
})

t.test('applying a batch twice changes nothing the second time', async (t) => {
  const { db } = await createTestDatabase(t)
  const batch = fc.sample(
    scenarioArb(() => 'twice-'),
    { numRuns: 1, seed: 7 },
  )[0]!.stream
  const first = await commitMessages(db, batch)
  const second = await commitMessages(db, batch)
  t.equal(second.applied, 0)
  t.equal(second.duplicates, batch.length)
  t.equal(first.applied + first.duplicates, batch.length)
})
