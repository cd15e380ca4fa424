import type { EventReadRow } from '@event-analytics/db'
import { asOfOf } from './as-of.js'
import { channelBody } from './channel.js'
import type { ChannelInput } from './channel.js'
import { eventHeader, eventSummary } from './event.js'
import type { Dashboard } from '../routes/schemas.js'

function latest(dates: readonly Date[]): Date {
  return new Date(Math.max(...dates.map((date) => date.getTime())))
}

export function dashboardBody(event: EventReadRow, channels: readonly ChannelInput[], now: Date, staleAfterMs: number): Dashboard {
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
