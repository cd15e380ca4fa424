import type { Kysely } from 'kysely'
import type { ChannelStatsRow, Database, EventStatsRow } from '../schema/types.js'

/**
 * Read side of the query API: one event's row and its channels. Visibility (event_created_at
 * set) and ownership are decided by the caller from the returned row, so a missing event and
 * another owner's event can answer exactly alike.
 */

/** The event's row, or undefined when it does not exist or is not visible yet (no EventCreated). */
export async function readVisibleEvent(db: Kysely<Database>, eventId: string): Promise<EventStatsRow | undefined> {
  return db
    .selectFrom('event_stats')
    .selectAll()
    .where('event_id', '=', eventId)
    .where('event_created_at', 'is not', null)
    .executeTakeFirst()
}

/** Every channel of the event, by name (stable order for the API and its ETags). */
export async function readEventChannels(db: Kysely<Database>, eventId: string): Promise<ChannelStatsRow[]> {
  return db.selectFrom('channel_stats').selectAll().where('event_id', '=', eventId).orderBy('channel_name').execute()
}

/** One channel of the event, or undefined. */
export async function readEventChannel(
  db: Kysely<Database>,
  eventId: string,
  channelName: string,
): Promise<ChannelStatsRow | undefined> {
  return db
    .selectFrom('channel_stats')
    .selectAll()
    .where('event_id', '=', eventId)
    .where('channel_name', '=', channelName)
    .executeTakeFirst()
}
