import { env } from '@event-analytics/ops'
import type { ChannelTypeValue } from '@event-analytics/db'

export { CHANNEL_TYPES } from '@event-analytics/contracts'

/** External channel metrics refresh (docs/SPEC.md section 7). Absent from AggregatorConfig = disabled. */
export interface ChannelMetricsConfig {
  readonly enabled: boolean
  /** Base URL per provider; the client calls `{base}/v1/metrics`. */
  readonly baseUrls: Readonly<Record<ChannelTypeValue, string>>
  /** Interval of the BullMQ job scheduler. */
  readonly refreshMs: number
  /** Per HTTP attempt. */
  readonly timeoutMs: number
  /** Extra attempts after a retryable failure (network, timeout, 5xx, 429), with full jitter. */
  readonly retries: number
  readonly retryBaseMs: number
  /** Channels fetched at once, per provider (each provider has its own pool). */
  readonly concurrency: number
  /** Breaker: open at this failure percentage of the rolling window, once volumeThreshold calls were seen. */
  readonly breakerErrorPercent: number
  readonly breakerVolumeThreshold: number
  readonly breakerWindowMs: number
  /** Breaker: open -> half-open after this long. */
  readonly breakerResetMs: number
}

/** The simulator (packages/provider-sim) serves all three providers under one port. */
const SIM = 'http://127.0.0.1:4010'

export const channelMetricsShape = {
  CHANNEL_METRICS_ENABLED: env.boolean(true),
  CHANNEL_METRICS_TV_URL: env.url(`${SIM}/tv`),
  CHANNEL_METRICS_SNS_URL: env.url(`${SIM}/sns`),
  CHANNEL_METRICS_VOICE_URL: env.url(`${SIM}/voice`),
  CHANNEL_METRICS_REFRESH_MS: env.integer(300_000, 1000),
  CHANNEL_METRICS_TIMEOUT_MS: env.integer(2000, 1, 120_000),
  CHANNEL_METRICS_RETRIES: env.integer(2, 0, 10),
  CHANNEL_METRICS_RETRY_BASE_MS: env.integer(200, 0, 60_000),
  CHANNEL_METRICS_CONCURRENCY: env.integer(4, 1, 100),
  CHANNEL_METRICS_BREAKER_ERROR_PERCENT: env.integer(50, 1, 100),
  CHANNEL_METRICS_BREAKER_VOLUME: env.integer(3, 1, 1000),
  CHANNEL_METRICS_BREAKER_WINDOW_MS: env.integer(600_000, 1000),
  CHANNEL_METRICS_BREAKER_RESET_MS: env.integer(30_000, 100),
}

type Raw = {
  [K in keyof typeof channelMetricsShape]: K extends 'CHANNEL_METRICS_ENABLED' ? boolean : K extends `${string}_URL` ? string : number
}

export function channelMetricsConfigFrom(raw: Raw): ChannelMetricsConfig {
  return {
    enabled: raw.CHANNEL_METRICS_ENABLED,
    baseUrls: { TV: raw.CHANNEL_METRICS_TV_URL, SNS: raw.CHANNEL_METRICS_SNS_URL, VOICE: raw.CHANNEL_METRICS_VOICE_URL },
    refreshMs: raw.CHANNEL_METRICS_REFRESH_MS,
    timeoutMs: raw.CHANNEL_METRICS_TIMEOUT_MS,
    retries: raw.CHANNEL_METRICS_RETRIES,
    retryBaseMs: raw.CHANNEL_METRICS_RETRY_BASE_MS,
    concurrency: raw.CHANNEL_METRICS_CONCURRENCY,
    breakerErrorPercent: raw.CHANNEL_METRICS_BREAKER_ERROR_PERCENT,
    breakerVolumeThreshold: raw.CHANNEL_METRICS_BREAKER_VOLUME,
    breakerWindowMs: raw.CHANNEL_METRICS_BREAKER_WINDOW_MS,
    breakerResetMs: raw.CHANNEL_METRICS_BREAKER_RESET_MS,
  }
}
