/** Reads the projections (typed Kysely builder, no SQL text) in the shape of expectedTables. */
import type { Database } from '@event-analytics/db'
import type { Kysely } from 'kysely'

const ms = (value: Date | null): number | null => (value === null ? null : value.getTime())

export async function readTables(db: Kysely<Database>) {
  const events = await db.selectFrom('event_stats').selectAll().orderBy('event_id').execute()
  const channels = await db.selectFrom('channel_stats').selectAll().orderBy('event_id').orderBy('channel_name').execute()
  const timeline = await db.selectFrom('timeline_data').selectAll().orderBy('event_id').orderBy('timestamp').execute()
  return {
    events: events.map((e) => ({
      event_id: e.event_id,
      user_id: e.user_id,
      title: e.title,
      status: e.status,
      status_changed_at: ms(e.status_changed_at),
      event_created_at: ms(e.event_created_at),
      own_investment: e.own_investment,
      distribution_cost: e.distribution_cost,
      total_investment: e.total_investment,
      expected_revenue: e.expected_revenue,
      expected_participants: e.expected_participants,
      target_roi: e.target_roi,
      sales_growth_rate: e.sales_growth_rate,
      total_participants: e.total_participants,
      total_views: e.total_views,
      estimated_revenue: e.estimated_revenue,
      estimated_roi: e.estimated_roi,
    })),
    channels: channels.map((c) => ({
      event_id: c.event_id,
      channel_name: c.channel_name,
      channel_type: c.channel_type,
      participants: c.participants,
      distribution_count: c.distribution_count,
      distribution_cost: c.distribution_cost,
    })),
    timeline: timeline.map((h) => ({
      event_id: h.event_id,
      timestamp: h.timestamp.getTime(),
      participants: h.participants,
      cumulative_participants: h.cumulative_participants,
    })),
  }
}

/** Cheap summary that changes whenever a batch lands: row counts and participant sums. */
export async function tablesFingerprint(db: Kysely<Database>): Promise<string> {
  const events = await db
    .selectFrom('event_stats')
    .select((eb) => [
      eb.fn.countAll<number>().as('rows'),
      eb.fn.sum<string>('total_participants').as('participants'),
      eb.fn.sum<string>('distribution_cost').as('cost'),
    ])
    .executeTakeFirstOrThrow()
  const hours = await db
    .selectFrom('timeline_data')
    .select((eb) => [eb.fn.countAll<number>().as('rows'), eb.fn.sum<string>('participants').as('participants')])
    .executeTakeFirstOrThrow()
  return `${events.rows}/${events.participants ?? 0}/${events.cost ?? 0}/${hours.rows}/${hours.participants ?? 0}`
}
