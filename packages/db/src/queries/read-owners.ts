import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'

/**
 * The stored owner of each event (NULL until its EventCreated arrived); events without a row
 * are absent. The aggregator needs it to invalidate the owners' summaries of events a batch
 * named but did not change (messages found already applied).
 */
export async function readEventOwners(db: Kysely<Database>, eventIds: readonly string[]): Promise<Map<string, string | null>> {
  if (eventIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('event_stats')
    .select(['event_id', 'user_id'])
    .where('event_id', 'in', [...eventIds])
    .execute()
  return new Map(rows.map((row) => [row.event_id, row.user_id]))
}
