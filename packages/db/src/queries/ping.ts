import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/** Readiness probe: resolves when PostgreSQL answers a trivial query. */
export async function pingDatabase<DB>(db: Kysely<DB>): Promise<void> {
  await sql`SELECT 1`.execute(db)
}
