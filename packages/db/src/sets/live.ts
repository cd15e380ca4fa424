import { sql } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../schema/types.js'
import { PROVIDER_COUNTER_COLUMNS } from '../schema/types.js'
import { PUBLIC_SET, assertSetName } from './names.js'

/**
 * Runs `work` in one read-only transaction on the live projection set: the pointer is read inside
 * the transaction (`SET LOCAL search_path` from `projection_live_search_path()`, migration 0014),
 * in the same round trip as BEGIN, so a read sees wholly the set that was live when it began, and
 * every read that begins after a switch commits sees the new one. One round trip more than a
 * bare statement (COMMIT), and the load's statements share one connection.
 */
export async function withLiveSet<T>(db: Kysely<Database>, work: (set: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    // No parameters: pg sends it as one simple query, both statements in one round trip.
    await sql.raw(`BEGIN READ ONLY; SELECT set_config('search_path', public.projection_live_search_path(), true)`).execute(connection)
    let result: T
    try {
      result = await work(connection)
    } catch (error) {
      await sql
        .raw('ROLLBACK')
        .execute(connection)
        .catch(() => undefined)
      throw error
    }
    await sql.raw('COMMIT').execute(connection)
    return result
  })
}

/** The live set's name. */
export async function readLiveSet(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema_name: string }>`SELECT schema_name FROM public.projection_sets WHERE live`.execute(db)
  const live = rows[0]?.schema_name
  if (live === undefined) throw new Error('projection_sets has no live set: run the migrations')
  return live
}

/**
 * Inside a batch transaction of a set's writer: whether the set it writes (the first schema of its
 * search path) is live, its pointer row held FOR SHARE until the batch commits. A switch updates that
 * row, so it waits for such batches and later ones wait for it: a batch that commits after a switch
 * sees the switch, and one that committed before it is covered by the switch's own invalidation.
 */
export async function lockSetLiveness(trx: Transaction<Database>): Promise<boolean> {
  const { rows } = await sql<{ live: boolean }>`
    SELECT live FROM public.projection_sets WHERE schema_name = current_schema() FOR SHARE`.execute(trx)
  return rows[0]?.live ?? false
}

export interface SwitchResult {
  readonly from: string
  readonly to: string
  /** Channel rows whose provider metrics were carried over from `from` (not in the log). */
  readonly adoptedChannels: number
  /** Every event of either set with its owner (either set's) and channels: what the caches must drop. */
  readonly events: readonly { eventId: string; userId: string | null; channelNames: string[] }[]
}

/**
 * Makes `to` the live set in one transaction: every pointer row locked (waiting for the batches of
 * the sets' writers holding theirs, lockSetLiveness), the provider metrics of the live set carried
 * over (adoptProviderMetrics), the pointer moved. Readers (withLiveSet) that begin after the commit
 * read `to`. The caller then invalidates the caches of `events` and announces them. Rolling back is
 * the same call with the old set.
 */
export async function switchLiveSet(db: Kysely<Database>, to: string): Promise<SwitchResult> {
  assertSetName(to)
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ schema_name: string; live: boolean }>`
      SELECT schema_name, live FROM public.projection_sets ORDER BY schema_name FOR UPDATE`.execute(trx)
    const from = rows.find((row) => row.live)?.schema_name
    if (from === undefined) throw new Error('projection_sets has no live set')
    if (!rows.some((row) => row.schema_name === to)) throw new RangeError(`no projection set "${to}"`)
    if (from === to) throw new RangeError(`"${to}" is already live`)
    const adoptedChannels = await adoptProviderMetrics(trx, from, to)
    await sql`UPDATE public.projection_sets SET live = false, state = 'retired', switched_at = now() WHERE schema_name = ${from}`.execute(
      trx,
    )
    await sql`UPDATE public.projection_sets SET live = true, state = 'live', switched_at = now() WHERE schema_name = ${to}`.execute(trx)
    const events = await sql<{ event_id: string; user_id: string | null; channel_names: string[] }>`
      SELECT event_id, max(user_id) AS user_id, array_remove(array_agg(DISTINCT channel_name), NULL) AS channel_names
      FROM (
        SELECT e.event_id, e.user_id, c.channel_name FROM ${sql.id(from, 'event_stats')} AS e
        LEFT JOIN ${sql.id(from, 'channel_stats')} AS c ON c.event_id = e.event_id
        UNION ALL
        SELECT e.event_id, e.user_id, c.channel_name FROM ${sql.id(to, 'event_stats')} AS e
        LEFT JOIN ${sql.id(to, 'channel_stats')} AS c ON c.event_id = e.event_id
      ) AS both_sets
      GROUP BY event_id ORDER BY event_id`.execute(trx)
    return {
      from,
      to,
      adoptedChannels,
      events: events.rows.map((row) => ({ eventId: row.event_id, userId: row.user_id, channelNames: row.channel_names })),
    }
  })
}

const PROVIDER_COLUMNS = [...PROVIDER_COUNTER_COLUMNS, 'average_duration_sec', 'metrics_as_of'] as const

/**
 * Channel metrics come from the providers' APIs, not from the log, so a rebuild cannot produce
 * them: the target set takes them from the source set (channel counters, their snapshot time, and
 * the timeline's views, engagement and conversions, which only snapshots write), for the channels
 * and hours the target has or gains. Assignments, not increments: repeating it changes nothing.
 * Then the target's derived figures (total views, ROI) are recomputed for the events it touched.
 * Returns the channel rows updated. Runs before a comparison and inside a switch.
 */
export async function adoptProviderMetrics(db: Kysely<Database>, from: string, to: string): Promise<number> {
  if (from !== PUBLIC_SET) assertSetName(from)
  if (to !== PUBLIC_SET) assertSetName(to)
  const assignments = sql.join(PROVIDER_COLUMNS.map((column) => sql`${sql.id(column)} = s.${sql.id(column)}`))
  const channels = await sql<{ event_id: string }>`
    UPDATE ${sql.id(to, 'channel_stats')} AS t SET ${assignments}, updated_at = now()
    FROM ${sql.id(from, 'channel_stats')} AS s
    WHERE t.event_id = s.event_id AND t.channel_name = s.channel_name
      AND s.metrics_as_of IS NOT NULL AND t.metrics_as_of IS DISTINCT FROM s.metrics_as_of
    RETURNING t.event_id`.execute(db)
  const timeline = await sql<{ event_id: string }>`
    INSERT INTO ${sql.id(to, 'timeline_data')} AS t (event_id, "timestamp", views, engagement, conversions, cumulative_participants)
    SELECT s.event_id, s."timestamp", s.views, s.engagement, s.conversions,
      (SELECT coalesce(sum(p.participants), 0) FROM ${sql.id(to, 'timeline_data')} AS p
       WHERE p.event_id = s.event_id AND p."timestamp" <= s."timestamp")
    FROM ${sql.id(from, 'timeline_data')} AS s
    WHERE (s.views, s.engagement, s.conversions) <> (0, 0, 0)
      AND EXISTS (SELECT 1 FROM ${sql.id(to, 'event_stats')} AS e WHERE e.event_id = s.event_id)
    ON CONFLICT (event_id, "timestamp") DO UPDATE
      SET views = excluded.views, engagement = excluded.engagement, conversions = excluded.conversions, updated_at = now()
      WHERE (t.views, t.engagement, t.conversions) IS DISTINCT FROM (excluded.views, excluded.engagement, excluded.conversions)
    RETURNING t.event_id`.execute(db)
  const touched = [...new Set([...channels.rows, ...timeline.rows].map((row) => row.event_id))].sort()
  if (touched.length > 0) {
    await sql`SELECT count(*) FROM ${sql.id(to, 'figures_refresh_events')}(${touched}::varchar[])`.execute(db)
  }
  return channels.rows.length
}

/**
 * Throws unless the connection's first schema is `set` and it is a registered set. PostgreSQL skips
 * a search_path schema that does not exist, so a writer configured with a mistyped set would
 * otherwise write the live set: every writer checks this at start.
 */
export async function assertProjectionSet(db: Kysely<Database>, set: string): Promise<void> {
  const { rows } = await sql<{ schema: string | null; registered: boolean }>`
    SELECT current_schema() AS schema,
      EXISTS (SELECT 1 FROM public.projection_sets WHERE schema_name = ${set}) AS registered`.execute(db)
  const row = rows[0]
  if (row?.schema !== set || !row.registered) {
    throw new Error(`projection set "${set}" does not exist (pnpm run rebuild create makes one; pnpm run rebuild list shows them)`)
  }
}
