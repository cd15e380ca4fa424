/**
 * Circuit-breaker state per channel-metrics provider, shared between processes: the
 * aggregator writes it on breaker transitions, the API reads it with the channels.
 */
import type { Kysely } from 'kysely'
import type { ChannelTypeValue, Database, ProviderHealthRow, ProviderStateValue } from '../schema/types.js'

/**
 * Upserts the provider's state; returns true when the stored state changed (the caller then
 * invalidates the cached projections of that provider's channels).
 */
export async function recordProviderHealth(
  db: Kysely<Database>,
  channelType: ChannelTypeValue,
  state: ProviderStateValue,
  changedAt: Date,
): Promise<boolean> {
  const written = await db
    .insertInto('provider_health')
    .values({ channel_type: channelType, state, changed_at: changedAt })
    .onConflict((oc) => oc.column('channel_type').doUpdateSet({ state, changed_at: changedAt }).where('provider_health.state', '<>', state))
    .returning('channel_type')
    .executeTakeFirst()
  return written !== undefined
}

export async function readProviderHealth(db: Kysely<Database>): Promise<ProviderHealthRow[]> {
  return db.selectFrom('provider_health').selectAll().orderBy('channel_type').execute()
}
