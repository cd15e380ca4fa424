/**
 * One home for domain values: the migrations' CHECK constraints are frozen SQL text, so
 * instead of deriving them (a changed list must not rewrite history) this test compares what
 * they enforce in a migrated database with the lists in contracts.
 */
import t from 'tap'
import { sql } from 'kysely'
import { CHANNEL_TYPES, EVENT_STATUSES } from '@event-analytics/contracts'
import { createTestDatabase } from '../src/testing/index.js'

const { db } = await createTestDatabase(t)

async function checkValues(constraint: string): Promise<string[]> {
  const { rows } = await sql<{ definition: string }>`
    SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = ${constraint}`.execute(db)
  const definition = rows[0]?.definition
  if (definition === undefined) throw new Error(`no constraint ${constraint}`)
  return [...definition.matchAll(/'([^']+)'/g)].map((match) => match[1] as string)
}

t.test('status and channel-type CHECKs enforce exactly the lists in contracts', async (t) => {
  t.same(await checkValues('event_stats_status_check'), [...EVENT_STATUSES])
  t.same(await checkValues('channel_stats_channel_type_check'), [...CHANNEL_TYPES])
  t.same(await checkValues('provider_health_channel_type_check'), [...CHANNEL_TYPES])
})
