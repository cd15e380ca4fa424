import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/*
 * Projection sets (packages/db/src/sets): every table the pipeline derives from the Kafka log
 * exists once per set, each set a PostgreSQL schema; `public` is the first set and, until an
 * operator switches, the live one. This table says which sets exist and which one the API reads.
 * Frozen once released.
 *
 * Exactly one row is live (the partial unique index). A switch updates two rows in one
 * transaction, so a reader that takes the pointer inside its own transaction
 * (`projection_live_search_path()`) reads wholly the old set or wholly the new one.
 *
 * state: `building` while a rebuild fills it, `ready` once it caught up, `retired` after it was
 * switched away from (kept for a rollback until dropped). Only a documented hint for operators:
 * the switch and the readers look at `live` alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projection_sets')
    .addColumn('schema_name', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('live', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('state', 'varchar(10)', (c) => c.notNull().defaultTo('building'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('switched_at', 'timestamptz')
    .addColumn('note', 'text')
    .addCheckConstraint('projection_sets_state_check', sql`state IN ('building', 'ready', 'live', 'retired')`)
    .execute()
  await sql`CREATE UNIQUE INDEX projection_sets_one_live ON projection_sets ((true)) WHERE live`.execute(db)
  await sql`
    INSERT INTO projection_sets (schema_name, live, state, note)
    VALUES ('public', true, 'live', 'the set the migrations created')`.execute(db)
  // Read by the API inside each read transaction: `SET LOCAL search_path` to the live set, with
  // public behind it for the tables every set shares (alerts, webhooks, provider health).
  await sql`
    CREATE FUNCTION projection_live_search_path() RETURNS text
    LANGUAGE sql STABLE
    AS $$
      SELECT CASE WHEN schema_name = 'public' THEN 'public' ELSE quote_ident(schema_name) || ', public' END
      FROM public.projection_sets WHERE live
    $$`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION projection_live_search_path()`.execute(db)
  await db.schema.dropTable('projection_sets').execute()
}
