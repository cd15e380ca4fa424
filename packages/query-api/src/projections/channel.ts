import { parseDecimal } from '@event-analytics/contracts'
import type { ChannelFigures, ChannelStatsRow, ProviderStateValue } from '@event-analytics/db'
import { asOfOf } from './as-of.js'
import type { Channel } from '../wire/schemas.js'

/**
 * A channel row with its figures (computed by readEventChannels, docs/SPEC.md section 6) and its
 * provider's breaker state (provider_health; absent/null: never reported).
 */
export type ChannelInput = ChannelStatsRow & ChannelFigures & { readonly provider_state?: ProviderStateValue | null }

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

/** Shapes only: the figures come computed from PostgreSQL. */
export function channelBody(row: ChannelInput, now: Date, staleAfterMs: number): Channel {
  return {
    channelName: row.channel_name,
    channelType: row.channel_type,
    participants: row.participants,
    distributionCount: row.distribution_count,
    distributionCost: row.distribution_cost,
    impressions: row.impressions,
    views: row.views,
    clicks: row.clicks,
    conversions: row.conversions,
    likes: row.likes,
    comments: row.comments,
    shares: row.shares,
    engagement: row.engagement,
    totalCalls: row.total_calls,
    completedCalls: row.completed_calls,
    averageDurationSec: row.average_duration_sec,
    ctr: row.ctr,
    participationRate: row.participation_rate,
    conversionRate: row.conversion_rate,
    costPerParticipant: row.cost_per_participant,
    callCompletionRate: row.call_completion_rate,
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
  // Decimal strings compare exactly as unscaled bigints (scale 2).
  return DECIMAL_FIELDS.has(field) ? parseDecimal(String(value), 2) : BigInt(value)
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
