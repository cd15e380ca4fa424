/**
 * The session every pooled connection gets: no JIT (a dashboard read spent 0.6-0.9 s compiling a
 * plan whose estimated cost crossed jit_above_cost), and a projection set's pool reads its set first.
 */
import t from 'tap'
import { sql } from 'kysely'
import { closeDb, createDb } from '../src/client.js'
import { createProjectionSet } from '../src/sets/index.js'
import { createTestDatabase } from '../src/testing/index.js'

const { db, url } = await createTestDatabase(t)

async function setting(pool: typeof db, name: 'jit' | 'search_path'): Promise<string | undefined> {
  const { rows } = await sql<{ value: string }>`SELECT current_setting(${name}) AS value`.execute(pool)
  return rows[0]?.value
}

t.test('JIT is off on every connection, whatever the server default', async (t) => {
  const { rows } = await sql<{ value: string }>`SELECT boot_val AS value FROM pg_settings WHERE name = 'jit'`.execute(db)
  t.equal(rows[0]?.value, 'on', "PostgreSQL's own default is on: the pool's setting is what turns it off")
  t.equal(await setting(db, 'jit'), 'off')
  const setDb = createDb(url, { poolSize: 1, projectionSet: 'client_set' })
  t.teardown(() => closeDb(setDb))
  await createProjectionSet(db, url, 'client_set', { monthsBack: 0, monthsAhead: 0 })
  t.equal(await setting(setDb, 'jit'), 'off', 'a projection set pool too')
  t.equal(await setting(setDb, 'search_path'), 'client_set,public', 'with its set first on the path')
})
