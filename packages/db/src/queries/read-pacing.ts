import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { DecimalString } from '@event-analytics/contracts'
import {
  computePacing,
  recentWindow,
  type HourlyParticipants,
  type PacingFigures,
  type PacingInput,
  type PacingResult,
} from '../pacing/pacing.js'
import type { Database, EventStatsRow } from '../schema/types.js'

/** Projected estimated ROI at endsAt (percent, scale 2) for the projected participant counts. */
export interface ProjectedRoi {
  readonly expected: DecimalString
  readonly low: DecimalString
  readonly high: DecimalString
}

export type EventPacing = PacingFigures & { readonly projectedRoi: ProjectedRoi | null }
export type EventPacingResult = { readonly pacing: EventPacing } | Extract<PacingResult, { unavailable: unknown }>

/** The columns of a stored event that computePacing reads. */
export type PacingColumns = Pick<
  EventStatsRow,
  'status' | 'starts_at' | 'ends_at' | 'expected_participants' | 'total_participants' | 'last_occurred_at'
>

/** What computePacing reads of a stored event and its recent hours (here and in alert-pacing.ts). */
export function pacingInput(event: PacingColumns, hourly: readonly HourlyParticipants[]): PacingInput {
  return {
    status: event.status,
    startsAt: event.starts_at,
    endsAt: event.ends_at,
    expectedParticipants: event.expected_participants,
    participants: Number(event.total_participants),
    asOf: event.last_occurred_at,
    hourly,
  }
}

/**
 * The pacing of one event (pure math in pacing/pacing.ts) as of its asOf (last_occurred_at),
 * from its stored row and its recent hourly timeline, with the projected ROI computed by the
 * one implementation of the SPEC section 6 figures (figures_estimated_revenue and
 * figures_estimated_roi of migration 0006) over the projected participant counts. The
 * investment is the event's as of asOf: distribution costs still to come are not guessed.
 */
export async function readEventPacing(db: Kysely<Database>, event: EventStatsRow): Promise<EventPacingResult> {
  const window = event.starts_at !== null && event.last_occurred_at !== null ? recentWindow(event.starts_at, event.last_occurred_at) : null
  const hourly =
    window === null
      ? []
      : await db
          .selectFrom('timeline_data')
          .select(['timestamp as hour', 'participants'])
          .where('event_id', '=', event.event_id)
          .where('timestamp', '>=', window.from)
          .where('timestamp', '<', window.to)
          .execute()
  const result = computePacing(
    pacingInput(
      event,
      hourly.map((row) => ({ hour: new Date(row.hour), participants: Number(row.participants) })),
    ),
  )
  if (!('pacing' in result)) return result
  const projected = result.pacing.projectedParticipants
  const projectedRoi = projected === null ? null : await projectedRoiOf(db, event, [projected.expected, projected.low, projected.high])
  return { pacing: { ...result.pacing, projectedRoi } }
}

async function projectedRoiOf(db: Kysely<Database>, event: EventStatsRow, participants: readonly number[]): Promise<ProjectedRoi> {
  const { rows } = await sql<{ roi: string }>`
    SELECT figures_estimated_roi(
             figures_estimated_revenue(${event.expected_revenue}::numeric, u.participants, ${event.expected_participants}::numeric),
             ${event.total_investment}::numeric)::text AS roi
    FROM unnest(${participants.map(String)}::numeric[]) WITH ORDINALITY AS u(participants, position)
    ORDER BY u.position`.execute(db)
  const [expected, low, high] = rows.map((row) => row.roi)
  if (expected === undefined || low === undefined || high === undefined) throw new Error('projected ROI query returned too few rows')
  return { expected, low, high }
}
