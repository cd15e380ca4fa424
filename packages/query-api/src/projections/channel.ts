import type { ChannelStatsRow, ProviderStateValue } from '@event-analytics/db'
import { asOfOf } from './as-of.js'
import { costPer, money, percentOf, renderOrNull, render } from './figures.js'
import type { Channel } from '../routes/schemas.js'

/** A channel row with its provider's breaker state (provider_health; absent/null: never reported). */
export type ChannelInput = ChannelStatsRow & { readonly provider_state?: ProviderStateValue | null }

/**
 * Staleness (docs/SPEC.md section 7): the values shown are not current when the channel's metrics provider is
 * not healthy (its breaker, persisted by the aggregator in provider_health, is open or
 * half-open), or when the last accepted snapshot is older than `staleAfterMs` (refreshes
 * stopped for another reason, e.g. no aggregator running). A channel never refreshed
 * (metricsAsOf null) is stale only while its provider is unhealthy.
 */
export function isStale(
  metricsAsOf: Date | null,
  now: Date,
  staleAfterMs: number,
  providerState: ProviderStateValue | null = null,
): boolean {
  if (providerState !== null && providerState !== 'closed') return true
  return metricsAsOf !== null && now.getTime() - metricsAsOf.getTime() > staleAfterMs
}

export function channelBody(row: ChannelInput, now: Date, staleAfterMs: number): Channel {
  const cost = money(row.distribution_cost)
  return {
    channelName: row.channel_name,
    channelType: row.channel_type,
    participants: row.participants,
    distributionCount: row.distribution_count,
    distributionCost: render(cost),
    impressions: row.impressions,
    views: row.views,
    clicks: row.clicks,
    conversions: row.conversions,
    likes: row.likes,
    comments: row.comments,
    shares: row.shares,
    engagement: row.likes + row.comments + row.shares,
    totalCalls: row.total_calls,
    completedCalls: row.completed_calls,
    averageDurationSec: render(money(row.average_duration_sec)),
    ctr: renderOrNull(percentOf(row.clicks, row.impressions)),
    participationRate: renderOrNull(percentOf(row.participants, row.views)),
    conversionRate: renderOrNull(percentOf(row.conversions, row.clicks)),
    costPerParticipant: renderOrNull(costPer(cost, row.participants)),
    callCompletionRate: renderOrNull(percentOf(row.completed_calls, row.total_calls)),
    metricsAsOf: row.metrics_as_of === null ? null : row.metrics_as_of.toISOString(),
    stale: isStale(row.metrics_as_of, now, staleAfterMs, row.provider_state ?? null),
    asOf: asOfOf(row.last_occurred_at),
  }
}

export const CHANNEL_SORT_FIELDS = [
  'channelName',
  'participants',
  'views',
  'impressions',
  'clicks',
  'conversions',
  'engagement',
  'distributionCost',
  'ctr',
  'participationRate',
  'conversionRate',
  'costPerParticipant',
  'callCompletionRate',
] as const
export type ChannelSortField = (typeof CHANNEL_SORT_FIELDS)[number]
export type SortOrder = 'asc' | 'desc'

const DECIMAL_FIELDS = new Set<ChannelSortField>([
  'distributionCost',
  'ctr',
  'participationRate',
  'conversionRate',
  'costPerParticipant',
  'callCompletionRate',
])

function sortValue(channel: Channel, field: ChannelSortField): bigint | string | null {
  if (field === 'channelName') return channel.channelName
  const value = channel[field]
  if (value === null) return null
  return DECIMAL_FIELDS.has(field) ? money(String(value)) : BigInt(value)
}

/** Sorts by `field` (nulls always last), ties broken by channel name so the order is stable. */
export function sortChannels(channels: readonly Channel[], field: ChannelSortField, order: SortOrder): Channel[] {
  const direction = order === 'asc' ? 1 : -1
  return [...channels].sort((a, b) => {
    const left = sortValue(a, field)
    const right = sortValue(b, field)
    if (left === null || right === null) {
      if (left !== right) return left === null ? 1 : -1
    } else if (left !== right) {
      return (left < right ? -1 : 1) * direction
    }
    return a.channelName < b.channelName ? -1 : a.channelName > b.channelName ? 1 : 0
  })
}
