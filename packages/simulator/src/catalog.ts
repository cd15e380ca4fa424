/** The channels and the daily rhythm the scenarios draw from. */
import type { ChannelType } from '@event-analytics/contracts'

export interface ChannelSpec {
  readonly channelName: string
  readonly channelType: ChannelType
  /** Cost of one distribution run in cents, drawn in [min, max]. */
  readonly costCents: readonly [number, number]
}

export const CHANNEL_CATALOG: readonly ChannelSpec[] = [
  { channelName: 'GENIE_TV', channelType: 'TV', costCents: [50_000_00, 300_000_00] },
  { channelName: 'SKB_BTV', channelType: 'TV', costCents: [40_000_00, 250_000_00] },
  { channelName: 'LG_HELLOVISION', channelType: 'TV', costCents: [30_000_00, 200_000_00] },
  { channelName: 'INSTAGRAM', channelType: 'SNS', costCents: [5_000_00, 80_000_00] },
  { channelName: 'FACEBOOK', channelType: 'SNS', costCents: [5_000_00, 60_000_00] },
  { channelName: 'KAKAO_CHANNEL', channelType: 'SNS', costCents: [3_000_00, 50_000_00] },
  { channelName: 'NAVER_BLOG', channelType: 'SNS', costCents: [1_000_00, 30_000_00] },
  { channelName: 'RINGO_BIZ', channelType: 'VOICE', costCents: [10_000_00, 90_000_00] },
  { channelName: 'COLORING', channelType: 'VOICE', costCents: [8_000_00, 70_000_00] },
]

/** Owners' business time zone: participants follow local daily life there. */
export const RHYTHM_TIME_ZONE = 'Asia/Seoul'

/**
 * Relative participation per local hour (0..23): quiet nights, a lunch bump, an evening
 * peak around 20-21 h when people are on their phones after work.
 */
export const HOURLY_RHYTHM: readonly number[] = [3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 8, 9, 12, 10, 8, 8, 9, 11, 15, 19, 22, 21, 15, 8]

const hourFormatters = new Map<string, Intl.DateTimeFormat>()

/** Local hour (0..23) of `instant` in `timeZone`. */
export function localHour(instant: number, timeZone: string): number {
  let formatter = hourFormatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' })
    hourFormatters.set(timeZone, formatter)
  }
  return Number(formatter.format(new Date(instant)))
}

export function rhythmWeight(instant: number, timeZone = RHYTHM_TIME_ZONE): number {
  return HOURLY_RHYTHM[localHour(instant, timeZone)]!
}
