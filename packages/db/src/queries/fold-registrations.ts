/**
 * The returning-participants fold (docs/SPEC.md section 9a), off the hot path: moves the
 * registration log into event_participants in one transaction, keeping each (event,
 * participant)'s earliest registration, and stamps returning_progress.folded_at: every
 * registration committed before it is counted. One fold at a time (a transaction-scoped advisory
 * lock; a second aggregator's fold skips), so event_participants has a single writer and no lock
 * order to keep. A fold killed midway rolls back whole: the log keeps its rows for the next one.
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
  readonly foldedAt: Date
}

/**
 * The (registeredAt, channel) order of the earliest registration: earliest first; on a tie a
 * named channel before none, then channel names by bytes (COLLATE "C"). The aggregator's fold of
 * a batch keeps the same order (fold/order.ts earlierRegistration).
 */
const EARLIEST_FIRST = sql`registered_at, channel_name IS NULL, channel_name COLLATE "C"`
const earlierThanStored = sql<boolean>`(excluded.first_registered_at, excluded.channel_name IS NULL, excluded.channel_name COLLATE "C")
  < (event_participants.first_registered_at, event_participants.channel_name IS NULL, event_participants.channel_name COLLATE "C")`

/** Folds the whole log; null when another fold holds the lock. */
export async function foldRegistrations(db: Kysely<Database>): Promise<FoldResult | null> {
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${setScopedLockKey(FOLD_LOCK_KEY)}) AS locked`.execute(trx)
    if (lock.rows[0]?.locked !== true) return null
    const folded = await sql<{ changed: number; owners: string[] }>`
      WITH logged AS (
        DELETE FROM participant_registrations RETURNING *
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
    const progress = await sql<{ folded_at: Date }>`
      UPDATE returning_progress SET folded_at = now() RETURNING folded_at`.execute(trx)
    const foldedAt = progress.rows[0]?.folded_at
    if (foldedAt === undefined) throw new Error('returning_progress is empty: run the migrations')
    const { changed = 0, owners = [] } = folded.rows[0] ?? {}
    return { changed, affected: await readOwnersEvents(trx, owners), foldedAt }
  })
}
