/** Reads every column of the projections (but ids and audit timestamps) in a comparable shape. */
import type { Database } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import type { Tables } from './reference.js'

const ms = (value: Date | null): number | null => (value === null ? null : value.getTime())

/** Drops the identity and audit columns (commit and ingest read times too), which no reference can predict. */
function withoutAudit<T extends { created_at: Date; updated_at: Date }>(row: T): Omit<T, 'id' | 'created_at' | 'updated_at'> {
  const copy: Partial<T> & Record<string, unknown> = { ...row }
  delete copy['id']
  delete copy.created_at
  delete copy.updated_at
  delete copy['last_committed_at']
  delete copy['last_ingest_read_at']
  return copy as Omit<T, 'id' | 'created_at' | 'updated_at'>
}

export async function readTables(db: Kysely<Database>, eventIds: readonly string[]): Promise<Tables> {
  if (eventIds.length === 0) return { events: [], channels: [], timeline: [] }
  const ids = [...eventIds]
  const events = await db.selectFrom('event_stats').selectAll().where('event_id', 'in', ids).orderBy('event_id').execute()
  const channels = await db
    .selectFrom('channel_stats')
    .selectAll()
    .where('event_id', 'in', ids)
    .orderBy('event_id')
    .orderBy('channel_name')
    .execute()
  const timeline = await db
    .selectFrom('timeline_data')
    .selectAll()
    .where('event_id', 'in', ids)
    .orderBy('event_id')
    .orderBy('timestamp')
    .execute()
  return {
    events: events.map(withoutAudit).map((row) => ({
      ...row,
      status_changed_at: ms(row.status_changed_at),
      event_created_at: ms(row.event_created_at),
      last_occurred_at: ms(row.last_occurred_at),
      starts_at: ms(row.starts_at),
      ends_at: ms(row.ends_at),
    })),
    channels: channels.map(withoutAudit).map((row) => ({
      ...row,
      metrics_as_of: ms(row.metrics_as_of),
      last_occurred_at: ms(row.last_occurred_at),
      last_participant_at: ms(row.last_participant_at),
    })),
    timeline: timeline.map(withoutAudit).map((row) => ({ ...row, timestamp: row.timestamp.getTime() })),
  }
}

/** Sorts like readTables (JS code-unit order matches the C/ASCII ids used in tests). */
export function sortTables(tables: Tables): Tables {
  const by =
    <T>(key: (row: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0
  return {
    events: [...tables.events].sort(by((row) => row.event_id)),
    channels: [...tables.channels].sort(by((row) => `${row.event_id}\u0000${row.channel_name}`)),
    timeline: [...tables.timeline].sort(by((row) => `${row.event_id}\u0000${String(row.timestamp).padStart(15, '0')}`)),
  }
}
