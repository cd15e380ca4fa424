import pg from 'pg'
import { PgErrorCode, pgErrorCode } from './errors.js'

const SAFE_DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Database name of a connection URL (the path without its slash). */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  if (name === '') throw new Error(`DATABASE_URL ${redactUrl(url)} names no database`)
  return name
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${encodeURIComponent(database)}`
  return parsed.toString()
}

/** URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '<unparsable url>'
  }
}

function assertSafeName(name: string): void {
  // CREATE/DROP DATABASE cannot take bind parameters; only plain names are accepted.
  if (!SAFE_DATABASE_NAME.test(name)) throw new Error(`unsupported database name "${name}" (use [a-z0-9_])`)
}

async function withMaintenanceClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  try {
    await client.connect()
  } catch (error) {
    throw new Error(`cannot reach PostgreSQL at ${redactUrl(url)}: ${String(error)}`, { cause: error })
  }
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** Creates the database named in `url` unless it exists. Returns true when it was created. */
export async function ensureDatabaseExists(url: string): Promise<boolean> {
  const name = databaseNameOf(url)
  assertSafeName(name)
  return withMaintenanceClient(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (found.rowCount !== 0) return false
    try {
      await client.query(`CREATE DATABASE "${name}"`)
      return true
    } catch (error) {
      // Two migrate runs racing: the loser finds the database made by the winner.
      if (pgErrorCode(error) === PgErrorCode.duplicateDatabase) return false
      throw error
    }
  })
}

/** Drops the database named in `url`, disconnecting its sessions. */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseNameOf(url)
  assertSafeName(name)
  await withMaintenanceClient(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  })
}
