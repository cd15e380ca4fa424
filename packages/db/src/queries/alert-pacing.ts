/**
 * The pacing of many events at once, for the alert evaluator: the same figures as
 * readEventPacing (read-pacing.ts, what the dashboard shows) from the same pure computePacing and
 * the same SQL figure functions, with one timeline query and one ROI query for all the events
 * instead of two per event (a batch may name hundreds of events).
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { computePacing, recentWindow } from '../pacing/pacing.js'
import type { HourlyParticipants } from '../pacing/pacing.js'
import type { Database, EventStatsRow } from '../schema/types.js'
import { pacingInput, type EventPacing, type PacingColumns } from './read-pacing.js'

/** What the pacing of many events reads of each: computePacing's columns and the projected ROI's. */
export type PacedEventColumns = PacingColumns & Pick<EventStatsRow, 'event_id' | 'expected_revenue' | 'total_investment'>

/** Each event's pacing, by event id; events that cannot be paced are absent. */
export async function readPacings(db: Kysely<Database>, events: readonly PacedEventColumns[]): Promise<Map<string, EventPacing>> {
  const hourly = await recentHours(db, events)
  const paced = events.flatMap((event) => {
    const result = computePacing(pacingInput(event, hourly.get(event.event_id) ?? []))
    return 'pacing' in result ? [{ event, pacing: result.pacing }] : []
  })
  const projected = paced.filter(({ pacing }) => pacing.projectedParticipants !== null)
  const rois = await projectedRois(
    db,
    projected.flatMap(({ event, pacing }) => {
      const counts = pacing.projectedParticipants
      return counts === null ? [] : [counts.expected, counts.low, counts.high].map((participants) => ({ event, participants }))
    }),
  )
  const pacings = new Map<string, EventPacing>()
  let at = 0
  for (const { event, pacing } of paced) {
    if (pacing.projectedParticipants === null) {
      pacings.set(event.event_id, { ...pacing, projectedRoi: null })
      continue
    }
    const [expected, low, high] = rois.slice(at, (at += 3))
    if (expected === undefined || low === undefined || high === undefined) throw new Error('projected ROI query returned too few rows')
    pacings.set(event.event_id, { ...pacing, projectedRoi: { expected, low, high } })
  }
  return pacings
}

/** The timeline rows of each event's recent window (recentWindow at its asOf). */
async function recentHours(db: Kysely<Database>, events: readonly PacedEventColumns[]): Promise<Map<string, HourlyParticipants[]>> {
  const windows = events.flatMap((event) => {
    const window =
      event.starts_at !== null && event.last_occurred_at !== null ? recentWindow(event.starts_at, event.last_occurred_at) : null
    return window === null ? [] : [{ eventId: event.event_id, ...window }]
  })
  const byEvent = new Map<string, HourlyParticipants[]>()
  if (windows.length === 0) return byEvent
  const { rows } = await sql<{ event_id: string; hour: Date; participants: number }>`
    SELECT t.event_id, t."timestamp" AS hour, t.participants
    FROM unnest(${windows.map((w) => w.eventId)}::varchar[], ${windows.map((w) => w.from)}::timestamptz[],
      ${windows.map((w) => w.to)}::timestamptz[]) AS w(event_id, since, until)
    JOIN timeline_data AS t ON t.event_id = w.event_id AND t."timestamp" >= w.since AND t."timestamp" < w.until`.execute(db)
  for (const row of rows) {
    const hours = byEvent.get(row.event_id) ?? []
    hours.push({ hour: new Date(row.hour), participants: Number(row.participants) })
    byEvent.set(row.event_id, hours)
  }
  return byEvent
}

/** The section 6 estimatedRoi of each (event, participants), by the figures functions, in input order. */
async function projectedRois(
  db: Kysely<Database>,
  inputs: readonly { event: PacedEventColumns; participants: number }[],
): Promise<string[]> {
  if (inputs.length === 0) return []
  const { rows } = await sql<{ roi: string }>`
    SELECT figures_estimated_roi(figures_estimated_revenue(u.revenue, u.participants, u.expected), u.investment)::text AS roi
    FROM unnest(${inputs.map((i) => i.event.expected_revenue)}::numeric[], ${inputs.map((i) => String(i.participants))}::numeric[],
      ${inputs.map((i) => i.event.expected_participants)}::numeric[], ${inputs.map((i) => i.event.total_investment)}::numeric[])
      WITH ORDINALITY AS u(revenue, participants, expected, investment, position)
    ORDER BY u.position`.execute(db)
  return rows.map((row) => row.roi)
}
