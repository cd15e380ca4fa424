import type { EventReadRow } from '@event-analytics/db'
import { asOfOf } from './as-of.js'
import { channelBody } from './channel.js'
import type { ChannelInput } from './channel.js'
import { eventHeader, eventSummary } from './event.js'
import type { EventHeader, EventSummaryBody } from './event.js'

export interface DashboardChannel {
  channelName: string
  channelType: string | null
  participants: number
  views: number
  distributionCost: string
  participationRate: string | null
  costPerParticipant: string | null
  stale: boolean
}

export interface DashboardBody {
  event: EventHeader
  summary: EventSummaryBody
  channels: DashboardChannel[]
  updatedAt: string
  asOf: string | null
}

function latest(dates: readonly Date[]): Date {
  return new Date(Math.max(...dates.map((date) => date.getTime())))
}

export function dashboardBody(event: EventReadRow, channels: readonly ChannelInput[], now: Date, staleAfterMs: number): DashboardBody {
  return {
    event: eventHeader(event),
    summary: eventSummary(event),
    channels: channels.map((row) => {
      const full = channelBody(row, now, staleAfterMs)
      return {
        channelName: full.channelName,
        channelType: full.channelType,
        participants: full.participants,
        views: full.views,
        distributionCost: full.distributionCost,
        participationRate: full.participationRate,
        costPerParticipant: full.costPerParticipant,
        stale: full.stale,
      }
    }),
    updatedAt: latest([event.updated_at, ...channels.map((row) => row.updated_at)]).toISOString(),
    asOf: asOfOf(event.last_occurred_at),
  }
}
