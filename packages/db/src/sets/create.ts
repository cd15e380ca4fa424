import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import { closeDb, createDb } from '../client.js'
import { ensurePartitionWindow, type PartitionWindowOptions } from '../migrate.js'
import { utcDay } from '../partitions/calendar.js'
import type { Database } from '../schema/types.js'
import { PARTITIONED_SET_TABLES, PUBLIC_SET, SET_BOUND_FUNCTIONS, SET_TABLES, assertSetName } from './names.js'

export interface ProjectionSet {
  readonly name: string
  readonly live: boolean
  readonly state: 'building' | 'ready' | 'live' | 'retired'
  readonly createdAt: Date
  readonly switchedAt: Date | null
  readonly note: string | null
}

export interface CreateSetOptions extends PartitionWindowOptions {
  readonly note?: string
  readonly now?: Date
}

/**
 * Creates the set `name`: a schema holding an empty copy of every set table (columns, defaults,
 * constraints, indexes, identity, storage and fillfactor as public has them now), its own copies of
 * the set-bound functions, the singleton rows, and the partition window. Registered as `building`,
 * never live. Fails if the schema exists. `url` opens a connection on the set for the partitions.
 */
export async function createProjectionSet(db: Kysely<Database>, url: string, name: string, options: CreateSetOptions = {}): Promise<void> {
  assertSetName(name)
  if (name === PUBLIC_SET) throw new RangeError('public is the set the migrations create')
  const now = options.now ?? new Date()
  await db.transaction().execute(async (trx) => {
    await sql`CREATE SCHEMA ${sql.id(name)}`.execute(trx)
    for (const table of SET_TABLES) await copyTable(trx, name, table)
    await copyFunctions(trx, name)
    await sql`INSERT INTO ${sql.id(name, 'dedupe_epoch')} (current_day) VALUES (${utcDay(now)})`.execute(trx)
    await sql`INSERT INTO ${sql.id(name, 'returning_progress')} (singleton, folded_at) VALUES (true, NULL)`.execute(trx)
    await sql`
      INSERT INTO public.projection_sets (schema_name, live, state, note)
      VALUES (${name}, false, 'building', ${options.note ?? null})`.execute(trx)
  })
  // Partition DDL runs outside any transaction and by name on the set's own search_path.
  const setDb = createDb(url, { poolSize: 1, applicationName: `projection-set:${name}`, projectionSet: name })
  try {
    await ensurePartitionWindow(setDb, now, options)
  } finally {
    await closeDb(setDb)
  }
}

async function copyTable(trx: Transaction<Database>, set: string, table: string): Promise<void> {
  const partitionBy = PARTITIONED_SET_TABLES[table]
  await sql`
    CREATE TABLE ${sql.id(set, table)} (LIKE ${sql.id(PUBLIC_SET, table)} INCLUDING ALL)
    ${partitionBy === undefined ? sql`` : sql.raw(`PARTITION BY ${partitionBy}`)}`.execute(trx)
  // LIKE copies no storage parameters; fillfactor keeps updates heap-only (migration 0007).
  const { rows } = await sql<{ option: string }>`
    SELECT unnest(reloptions) AS option FROM pg_class WHERE oid = ${`${PUBLIC_SET}.${table}`}::regclass`.execute(trx)
  if (rows.length > 0) {
    await sql`ALTER TABLE ${sql.id(set, table)} SET (${sql.raw(rows.map((row) => row.option).join(', '))})`.execute(trx)
  }
  if (table === 'timeline_data') {
    // As migration 0001: rows of a month without its partition yet land here, never fail.
    await sql`CREATE TABLE ${sql.id(set, 'timeline_data_default')} PARTITION OF ${sql.id(set, 'timeline_data')} DEFAULT`.execute(trx)
  }
}

/**
 * Each set-bound function, from public's current definition: deparsed with public alone on the
 * path (so its table references print unqualified), then created in the set with the set first on
 * the path, which binds them to the set's tables (and to the set's copies of the functions before it).
 */
async function copyFunctions(trx: Transaction<Database>, set: string): Promise<void> {
  for (const fn of SET_BOUND_FUNCTIONS) {
    await sql`SELECT set_config('search_path', 'public', true)`.execute(trx)
    const { rows } = await sql<{ definition: string }>`
      SELECT pg_get_functiondef(p.oid) AS definition FROM pg_proc AS p
      WHERE p.proname = ${fn} AND p.pronamespace = 'public'::regnamespace`.execute(trx)
    const definition = rows[0]?.definition
    if (definition === undefined || rows.length !== 1) throw new Error(`public.${fn} is missing or overloaded`)
    const header = `CREATE OR REPLACE FUNCTION public.${fn}(`
    if (!definition.startsWith(header)) throw new Error(`unexpected definition of public.${fn}`)
    await sql`SELECT set_config('search_path', ${`${set}, public`}, true)`.execute(trx)
    await sql.raw(`CREATE FUNCTION ${set}.${fn}(${definition.slice(header.length)}`).execute(trx)
  }
  await sql`SELECT set_config('search_path', 'public', true)`.execute(trx)
}

/** Every set, the live one first. */
export async function listProjectionSets(db: Kysely<Database>): Promise<ProjectionSet[]> {
  const { rows } = await sql<{
    schema_name: string
    live: boolean
    state: ProjectionSet['state']
    created_at: Date
    switched_at: Date | null
    note: string | null
  }>`SELECT schema_name, live, state, created_at, switched_at, note FROM public.projection_sets ORDER BY live DESC, created_at`.execute(db)
  return rows.map((row) => ({
    name: row.schema_name,
    live: row.live,
    state: row.state,
    createdAt: row.created_at,
    switchedAt: row.switched_at,
    note: row.note,
  }))
}

/** Marks a set's state (a hint for operators: `ready` once a rebuild caught up). */
export async function markProjectionSet(db: Kysely<Database>, name: string, state: 'building' | 'ready'): Promise<void> {
  await sql`UPDATE public.projection_sets SET state = ${state} WHERE schema_name = ${name} AND NOT live`.execute(db)
}

/** Drops a set that is not live (its schema and everything in it). Refuses public and the live set. */
export async function dropProjectionSet(db: Kysely<Database>, name: string): Promise<void> {
  assertSetName(name)
  if (name === PUBLIC_SET) throw new RangeError('public cannot be dropped (it holds the shared tables)')
  await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ live: boolean }>`
      SELECT live FROM public.projection_sets WHERE schema_name = ${name} FOR UPDATE`.execute(trx)
    if (rows[0] === undefined) throw new RangeError(`no projection set "${name}"`)
    if (rows[0].live) throw new RangeError(`"${name}" is live: switch to another set first`)
    await sql`DROP SCHEMA ${sql.id(name)} CASCADE`.execute(trx)
    await sql`DELETE FROM public.projection_sets WHERE schema_name = ${name}`.execute(trx)
  })
}

/**
 * How `set`'s tables differ from public's (a column missing or of another type, either way): a set
 * created by an earlier release misses what later migrations added to public, and the code of this
 * release would fail on it. Empty when the shapes agree. `switch` and a resumed rebuild refuse such a set.
 */
export async function setShapeDifferences(db: Kysely<Database>, set: string): Promise<string[]> {
  assertSetName(set)
  const { rows } = await sql<{ table_name: string; column_name: string; in_public: string | null; in_set: string | null }>`
    WITH columns AS (
      SELECT table_schema, table_name, column_name,
        data_type || coalesce('(' || character_maximum_length || ')', '')
          || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '') AS type
      FROM information_schema.columns
      WHERE table_schema IN ('public', ${set}) AND table_name = ANY(${[...SET_TABLES]}::text[])
    )
    SELECT coalesce(p.table_name, s.table_name) AS table_name, coalesce(p.column_name, s.column_name) AS column_name,
      p.type AS in_public, s.type AS in_set
    FROM (SELECT * FROM columns WHERE table_schema = 'public') AS p
    FULL JOIN (SELECT * FROM columns WHERE table_schema = ${set}) AS s USING (table_name, column_name)
    WHERE p.type IS DISTINCT FROM s.type
    ORDER BY 1, 2`.execute(db)
  return rows.map((row) =>
    row.in_set === null
      ? `${row.table_name}.${row.column_name} (${row.in_public}) is missing in ${set}`
      : row.in_public === null
        ? `${row.table_name}.${row.column_name} is in ${set} only`
        : `${row.table_name}.${row.column_name} is ${row.in_set} in ${set}, ${row.in_public} in public`,
  )
}
