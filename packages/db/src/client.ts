import { Kysely, PostgresDialect } from 'kysely'
import type { KyselyConfig } from 'kysely'
import pg from 'pg'
import type { CustomTypesConfig } from 'pg'
import type { Database } from './schema/types.js'
import { PUBLIC_SET, assertSetName } from './sets/names.js'
import { TIMESTAMPTZ_OID, parseTimestamptz } from './timestamptz.js'

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/event_analytics'

const INT8_OID = 20
const DATE_OID = 1082

/** A bigint's text as a number; refuses one past 2^53 instead of rounding it. */
export function parseInt8(text: string): number {
  const value = Number(text)
  // Throwing beats silently rounding a counter; see schema/types.ts for the decision.
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} does not fit a JS safe integer`)
  return value
}

function identity(text: string): string {
  return text
}

/**
 * Per-pool parsers (the `types` pool option) instead of pg.types.setTypeParser, which would
 * change the parsing of every other pg user in the process.
 */
const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === INT8_OID) return parseInt8
      if (oid === DATE_OID) return identity
      if (oid === TIMESTAMPTZ_OID) return parseTimestamptz
    }
    return pg.types.getTypeParser(oid, format ?? 'text')
  }) as CustomTypesConfig['getTypeParser'],
}

export interface CreateDbOptions {
  /** Maximum pool size (default 10). */
  poolSize?: number
  /** Name reported in pg_stat_activity, handy when looking at locks. */
  applicationName?: string
  /** Called when an idle pooled connection fails (e.g. server restart); log it. */
  onPoolError?: (error: Error) => void
  /** Kysely's query log (each statement with its duration): the apply-path profile times steps with it. */
  log?: KyselyConfig['log']
  /**
   * The projection set this pool writes and reads (packages/db/src/sets): every connection runs with
   * `search_path = <set>, public`. Default public, the set the migrations created. The API's reads do
   * not pin a set: they follow the live pointer per transaction (`withLiveSet`).
   */
  projectionSet?: string
}

/**
 * Every connection runs without JIT. The statements here are short; once a table's statistics
 * make a plan's estimated cost cross jit_above_cost (the returning split's per-participant probe
 * did, as soon as event_participants filled), PostgreSQL compiles it on every execution, and
 * that compilation (0.6-0.9 s measured) was nearly all of a dashboard read's time.
 */
function sessionOptions(projectionSet: string | undefined): string {
  const setPath =
    projectionSet === undefined || projectionSet === PUBLIC_SET ? '' : ` -c search_path=${assertSetName(projectionSet)},${PUBLIC_SET}`
  return `-c jit=off${setPath}`
}

/** Opens a pg Pool and wraps it in a typed Kysely instance. Close it with `closeDb`. */
export function createDb(url: string = DEFAULT_DATABASE_URL, options: CreateDbOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'event-analytics',
    types: typeParsers,
    options: sessionOptions(options.projectionSet),
  })
  // An idle client losing its connection (server restart) must not crash the process;
  // the pool replaces it and the next query reports the problem.
  pool.on('error', options.onPoolError ?? (() => undefined))
  // The same for a client checked out between two statements of a transaction (the chaos suite
  // saw an aggregator die of an unhandled 'error' there): its next query fails instead, which
  // the caller already treats as a transient failure.
  pool.on('connect', (client) => client.on('error', options.onPoolError ?? (() => undefined)))
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(options.log === undefined ? {} : { log: options.log }) })
}

/** Ends the pool. Safe to call twice. */
export async function closeDb<DB>(db: Kysely<DB>): Promise<void> {
  await db.destroy()
}
