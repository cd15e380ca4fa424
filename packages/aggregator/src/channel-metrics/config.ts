import { doc, env } from '@event-analytics/ops'
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
  CHANNEL_METRICS_ENABLED: doc(env.boolean(true), 'The scheduled refresh of external channel metrics (docs/SPEC.md section 7).'),
  CHANNEL_METRICS_TV_URL: doc(env.url(`${SIM}/tv`), 'TV provider base URL (`{base}/v1/metrics`); the default is the provider simulator.'),
  CHANNEL_METRICS_SNS_URL: doc(env.url(`${SIM}/sns`), 'SNS provider base URL; the default is the provider simulator.'),
  CHANNEL_METRICS_VOICE_URL: doc(env.url(`${SIM}/voice`), 'VOICE provider base URL; the default is the provider simulator.'),
  CHANNEL_METRICS_REFRESH_MS: doc(env.integer(300_000, 1000), 'Interval of the refresh job scheduler.'),
  CHANNEL_METRICS_TIMEOUT_MS: doc(env.integer(2000, 1, 120_000), 'Per HTTP attempt (the request is aborted).'),
  CHANNEL_METRICS_RETRIES: doc(
    env.integer(2, 0, 10),
    'Extra attempts after a retryable failure (network, timeout, 5xx, 429), with full jitter.',
    {
      internal: true,
    },
  ),
  CHANNEL_METRICS_RETRY_BASE_MS: doc(
    env.integer(200, 0, 60_000),
    'Base of the retry pause: pause n is uniform in [0, base x 2^(n-1)), at most 5 s.',
    {
      internal: true,
    },
  ),
  CHANNEL_METRICS_CONCURRENCY: doc(env.integer(4, 1, 100), 'Channels fetched at once, per provider (each provider has its own pool).', {
    internal: true,
  }),
  CHANNEL_METRICS_BREAKER_ERROR_PERCENT: doc(
    env.integer(50, 1, 100),
    'Circuit breaker: opens at this failure percentage of the rolling window.',
    {
      internal: true,
    },
  ),
  CHANNEL_METRICS_BREAKER_VOLUME: doc(env.integer(3, 1, 1000), 'Circuit breaker: calls in the window before it may open.', {
    internal: true,
  }),
  CHANNEL_METRICS_BREAKER_WINDOW_MS: doc(env.integer(600_000, 1000), 'Circuit breaker: the rolling window.', { internal: true }),
  CHANNEL_METRICS_BREAKER_RESET_MS: doc(env.integer(30_000, 100), 'Circuit breaker: open to half-open after this long.', {
    internal: true,
  }),
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
