import type { AlertRow, EventReadRow, EventReturningRow } from '@event-analytics/db'
import { alertBody } from './alerts.js'
import { asOfOf, pipelineDelaySecondsOf } from './as-of.js'
import { channelBody } from './channel.js'
import type { ChannelInput } from './channel.js'
import { eventHeader, eventSummary } from './event.js'
import type { PacingFields } from './pacing.js'
import type { Dashboard } from '../wire/schemas.js'

function latest(dates: readonly Date[]): Date {
  return new Date(Math.max(...dates.map((date) => date.getTime())))
}

const NO_PARTICIPANTS = { new_participants: 0, returning_participants: 0 }

function returningBody(returning: EventReturningRow): Dashboard['returning'] {
  const withoutChannel = returning.channels.find((row) => row.channel_name === null) ?? NO_PARTICIPANTS
  return {
    newParticipants: returning.new_participants,
    returningParticipants: returning.returning_participants,
    costPerNewParticipant: returning.cost_per_new_participant,
    withoutChannel: { newParticipants: withoutChannel.new_participants, returningParticipants: withoutChannel.returning_participants },
    asOf: asOfOf(returning.as_of),
  }
}

/** `openAlerts`: the event's open alerts, newest first (the page shows them above the figures). */
export function dashboardBody(
  event: EventReadRow,
  channels: readonly ChannelInput[],
  returning: EventReturningRow,
  now: Date,
  staleAfterMs: number,
  pacing: PacingFields,
  openAlerts: readonly AlertRow[] = [],
): Dashboard {
  const byChannel = new Map(returning.channels.map((row) => [row.channel_name, row]))
  return {
    event: eventHeader(event),
    summary: eventSummary(event),
    returning: returningBody(returning),
    channels: channels.map((row) => {
      const full = channelBody(row, now, staleAfterMs)
      const split = byChannel.get(row.channel_name) ?? NO_PARTICIPANTS
      return {
        channelName: full.channelName,
        channelType: full.channelType,
        participants: full.participants,
        views: full.views,
        distributionCost: full.distributionCost,
        participationRate: full.participationRate,
        costPerParticipant: full.costPerParticipant,
        stale: full.stale,
        newParticipants: split.new_participants,
        returningParticipants: split.returning_participants,
      }
    }),
    updatedAt: latest([event.updated_at, ...channels.map((row) => row.updated_at)]).toISOString(),
    asOf: asOfOf(event.last_occurred_at),
    committedAt: event.last_committed_at === null ? null : event.last_committed_at.toISOString(),
    pipelineDelaySeconds: pipelineDelaySecondsOf(event.last_committed_at, event.last_ingest_read_at),
    ...pacing,
    alerts: openAlerts.map(alertBody),
  }
}
