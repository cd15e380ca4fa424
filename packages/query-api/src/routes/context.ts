import type { Database } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import type { ApiConfig } from '../config.js'

/** What every route module is registered with. */
export interface RouteContext {
  db: Kysely<Database>
  config: ApiConfig
  /** Clock (tests pin it). */
  now: () => Date
}
