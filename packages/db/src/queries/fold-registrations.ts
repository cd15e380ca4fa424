/**
 * The returning-participants fold (docs/SPEC.md section 9a), off the hot path: moves the
 * registration log into event_participants, keeping each (event, participant)'s earliest
 * registration, in chunks of at most `maxRegistrations` (whole log rows: at least one), so no fold
 * holds a database core for seconds under sustained load. One fold at a time (a
 * transaction-scoped advisory lock; a second aggregator's fold skips), so event_participants has a
 * single writer and no lock order to keep. A fold killed midway rolls back whole: the log keeps
 * its rows for the next one.
 *
 * returning_progress.folded_at (the figures' asOf) moves only when a fold leaves the log empty:
 * then every registration committed before that transaction's start is folded. A chunk that
 * leaves rows behind keeps the previous asOf, which stays true (folded rows stay folded).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'
import { readOwnersEvents } from './apply-participations.js'
import { setScopedLockKey } from '../sets/names.js'

/** pg_advisory lock key of the fold ("returnin" in ASCII), per projection set (setScopedLockKey). */
const FOLD_LOCK_KEY = 0x72657475726e696en

export interface FoldResult {
  /** Participations inserted or moved earlier: only these can change a split. */
  readonly changed: number
  /**
   * Every visible event of the owners of the changed participations: their splits may have
   * changed (a participant's first event moves across the owner's events), so their views are
   * invalidated. Wider than needed; a probe per participant for the events sharing one cost more
   * than the reloads it would save.
   */
  readonly affected: ReadonlyMap<string, string>
  /** Whether the log was empty after this chunk (then foldedAt is this fold's). */
  readonly emptied: boolean
  /** The asOf after this fold (null: no fold has emptied the log yet). */
  readonly foldedAt: Date | null
}

export interface FoldOptions {
  /**
   * Log rows are taken whole until they hold at least this many registrations (default: the whole
   * log). A row is one batch's registrations, so a chunk can exceed it by one batch.
   */
  readonly maxRegistrations?: number
}

/**
 * The (registeredAt, channel) order of the earliest registration: earliest first; on a tie a
 * named channel before none, then channel names by bytes (COLLATE "C"). The aggregator's fold of
 * a batch keeps the same order (fold/order.ts earlierRegistration).
 */
const EARLIEST_FIRST = sql`registered_at, channel_name IS NULL, channel_name COLLATE "C"`
const earlierThanStored = sql<boolean>`(excluded.first_registered_at, excluded.channel_name IS NULL, excluded.channel_name COLLATE "C")
  < (event_participants.first_registered_at, event_participants.channel_name IS NULL, event_participants.channel_name COLLATE "C")`

/** Folds one chunk of the log (see FoldOptions); null when another fold holds the lock. */
export async function foldRegistrations(db: Kysely<Database>, options: FoldOptions = {}): Promise<FoldResult | null> {
  const limit = options.maxRegistrations ?? null
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${setScopedLockKey(FOLD_LOCK_KEY)}) AS locked`.execute(trx)
    if (lock.rows[0]?.locked !== true) return null
    const folded = await sql<{ changed: number; owners: string[] }>`
      WITH chunk AS (
        SELECT ctid FROM (
          SELECT ctid, sum(cardinality(event_ids)) OVER (ORDER BY ctid) - cardinality(event_ids) AS before
          FROM participant_registrations
        ) AS running
        WHERE ${limit}::bigint IS NULL OR before < ${limit}::bigint
      ), logged AS (
        DELETE FROM participant_registrations WHERE ctid IN (SELECT ctid FROM chunk) RETURNING *
      ), moved AS (
        SELECT u.event_id, u.participant_id, u.channel_name, to_timestamp(u.ms / 1000) AS registered_at
        FROM logged, unnest(logged.event_ids, logged.participant_ids, logged.channel_names, logged.registered_ms)
          AS u(event_id, participant_id, channel_name, ms)
      ), earliest AS (
        SELECT DISTINCT ON (event_id, participant_id) event_id, participant_id, channel_name, registered_at
        FROM moved ORDER BY event_id, participant_id, ${EARLIEST_FIRST}
      ), upserted AS (
        INSERT INTO event_participants (event_id, participant_id, channel_name, first_registered_at)
        SELECT event_id, participant_id, channel_name, registered_at FROM earliest
        ON CONFLICT (event_id, participant_id) DO UPDATE
          SET first_registered_at = excluded.first_registered_at, channel_name = excluded.channel_name
          WHERE ${earlierThanStored}
        RETURNING event_id
      ), touched AS (
        SELECT event_id, count(*) AS participations FROM upserted GROUP BY event_id
      )
      SELECT coalesce(sum(t.participations), 0)::bigint AS changed,
             coalesce(array_agg(DISTINCT s.user_id) FILTER (WHERE s.user_id IS NOT NULL), '{}') AS owners
      FROM touched AS t LEFT JOIN event_stats AS s ON s.event_id = t.event_id`.execute(trx)
    // A statement of its own: it sees every row committed before it, so "empty" covers them all.
    const progress = await sql<{ folded_at: Date | null; emptied: boolean }>`
      WITH emptied AS (SELECT NOT EXISTS (SELECT FROM participant_registrations) AS emptied)
      UPDATE returning_progress SET folded_at = CASE WHEN emptied.emptied THEN now() ELSE folded_at END
      FROM emptied RETURNING folded_at, emptied.emptied`.execute(trx)
    const row = progress.rows[0]
    if (row === undefined) throw new Error('returning_progress is empty: run the migrations')
    const { changed = 0, owners = [] } = folded.rows[0] ?? {}
    return { changed, affected: await readOwnersEvents(trx, owners), emptied: row.emptied, foldedAt: row.folded_at }
  })
}
