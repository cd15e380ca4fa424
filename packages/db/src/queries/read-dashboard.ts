import type { Kysely } from 'kysely'
import type { ChannelReadRow, Database, EventReadRow } from '../schema/types.js'
import { channelFigures, roiAchievementRate } from './event-figures.js'

/**
 * Read side of the query API: one event's row and its channels. Visibility (event_created_at
 * set) and ownership are decided by the caller from the returned row, so a missing event and
 * another owner's event can answer exactly alike.
 */

/**
 * The event's row with its figures (the stored ones and the achievement rate), or undefined when
 * it does not exist or is not visible yet (no EventCreated).
 */
export async function readVisibleEvent(db: Kysely<Database>, eventId: string): Promise<EventReadRow | undefined> {
  return db
    .selectFrom('event_stats')
    .selectAll()
    .select(roiAchievementRate)
    .where('event_id', '=', eventId)
    .where('event_created_at', 'is not', null)
    .executeTakeFirst()
}

/**
 * Channels with their figures, joined with their provider's circuit-breaker state (provider_health,
 * written by the aggregator on transitions): the API marks a channel stale while its provider is not healthy.
 */
function channelsWithHealth(db: Kysely<Database>) {
  return db
    .selectFrom('channel_stats')
    .leftJoin('provider_health', 'provider_health.channel_type', 'channel_stats.channel_type')
    .selectAll('channel_stats')
    .select(channelFigures('channel_stats'))
    .select('provider_health.state as provider_state')
}

/** Every channel of the event, by name (stable order for the API and its ETags). */
export async function readEventChannels(db: Kysely<Database>, eventId: string): Promise<ChannelReadRow[]> {
  return channelsWithHealth(db).where('channel_stats.event_id', '=', eventId).orderBy('channel_stats.channel_name').execute()
}

/** One channel of the event, or undefined. */
export async function readEventChannel(db: Kysely<Database>, eventId: string, channelName: string): Promise<ChannelReadRow | undefined> {
  return channelsWithHealth(db)
    .where('channel_stats.event_id', '=', eventId)
    .where('channel_stats.channel_name', '=', channelName)
    .executeTakeFirst()
}
