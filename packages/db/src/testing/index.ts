import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { Migrator } from 'kysely/migration'
import { dropDatabase, ensureDatabaseExists, withDatabase } from '../admin.js'
import { closeDb, createDb } from '../client.js'
import { setupDatabase } from '../migrate.js'
import { migrationProvider } from '../migrations/index.js'
import type { Database } from '../schema/types.js'

/** Server the test databases are created on; TEST_DATABASE_URL, else DATABASE_URL, else local. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  db: Kysely<Database>
  /** Connection URL of the fresh database (hand it to the code under test). */
  url: string
  name: string
  /** Closes `db` and drops the database. Idempotent. */
  drop(): Promise<void>
}

/** The part of a tap `Test` used here, so the kit does not depend on tap. */
export interface TeardownRegistrar {
  teardown(fn: () => unknown): void
}

export interface TestDatabaseOptions {
  /** Pool size of the returned `db` (default 5). */
  poolSize?: number
  /** Clock for the partition window (default: now). */
  now?: Date
  /** Timeline months created around `now` (default 1 back, 1 ahead: fast and enough). */
  monthsBack?: number
  monthsAhead?: number
}

/**
 * A freshly created, fully migrated database of its own, so test files never share state.
 * Throws (never skips) when PostgreSQL cannot be reached: a test run without its database
 * must fail. Pass the tap test to drop the database in its teardown.
 */
export async function createTestDatabase(t?: TeardownRegistrar, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `ea_test_${process.pid}_${randomBytes(5).toString('hex')}`
  const url = withDatabase(TEST_SERVER_URL, name)
  await setupDatabase(url, {
    monthsBack: options.monthsBack ?? 1,
    monthsAhead: options.monthsAhead ?? 1,
    ...(options.now === undefined ? {} : { now: options.now }),
  })
  const db = createDb(url, { poolSize: options.poolSize ?? 5, applicationName: `test:${name}` })
  let dropped: Promise<void> | undefined
  const drop = (): Promise<void> => {
    dropped ??= closeDb(db).then(() => dropDatabase(url))
    return dropped
  }
  t?.teardown(drop)
  return { db, url, name, drop }
}

/**
 * A database of its own migrated only up to `migration` (inclusive), for tests of the migrations
 * after it on the rows an older release wrote. No partition window is created. Dropped in
 * `t`'s teardown.
 */
export async function createDatabaseAtMigration(t: TeardownRegistrar, migration: string): Promise<Kysely<Database>> {
  const name = `ea_test_${process.pid}_${randomBytes(5).toString('hex')}`
  const url = withDatabase(TEST_SERVER_URL, name)
  await ensureDatabaseExists(url)
  const db = createDb(url, { poolSize: 2, applicationName: `test:${name}` })
  t.teardown(async () => {
    await closeDb(db)
    await dropDatabase(url)
  })
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo(migration)
  if (error !== undefined) throw error
  return db
}

export interface TestAlertTransition {
  alertId: number
  userId: string
  eventId: string
  rule: string
  channelName: string | null
  state: 'open' | 'resolved'
  occurredAt: Date
  details: Record<string, unknown>
}

/**
 * Writes one alert_transitions row as the alerts' evaluator would (its alert row is not needed by
 * the readers of the outbox); returns its id. An alert has one opening and at most one resolution.
 */
export async function insertAlertTransition(db: Kysely<Database>, transition: TestAlertTransition): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    INSERT INTO alert_transitions (alert_id, user_id, event_id, rule, channel_name, state, occurred_at, details)
    VALUES (${transition.alertId}, ${transition.userId}, ${transition.eventId}, ${transition.rule}, ${transition.channelName},
            ${transition.state}, ${transition.occurredAt}, ${JSON.stringify(transition.details)}::jsonb)
    RETURNING id`.execute(db)
  const id = rows[0]?.id
  if (id === undefined) throw new Error('alert transition not inserted')
  return id
}
