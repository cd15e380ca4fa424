/**
 * BENCHMARK ONLY — never used by a service.
 *
 * Which server processes serve a database, so packages/bench can read their CPU from /proc
 * (PostgreSQL keeps no per-backend CPU counter of its own).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'

export interface BenchBackend {
  readonly pid: number
  /** The client's application_name (`aggregator`, `ingest-worker`, ...); empty for autovacuum. */
  readonly applicationName: string
  /** `client backend`, `autovacuum worker`, `parallel worker`, ... */
  readonly backendType: string
}

/** Every backend connected to `database` now, the caller's own excepted. */
export async function readBenchBackends(db: Kysely<Database>, database: string): Promise<BenchBackend[]> {
  const result = await sql<{ pid: number; application_name: string | null; backend_type: string | null }>`
    SELECT pid, application_name, backend_type FROM pg_stat_activity
    WHERE datname = ${database} AND pid <> pg_backend_pid()`.execute(db)
  return result.rows.map((row) => ({
    pid: row.pid,
    applicationName: row.application_name ?? '',
    backendType: row.backend_type ?? '',
  }))
}

/** The pid of the backend serving this connection (use a pool of one). */
export async function readBackendPid(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)
  const pid = result.rows[0]?.pid
  if (pid === undefined) throw new Error('pg_backend_pid() returned no row')
  return pid
}
