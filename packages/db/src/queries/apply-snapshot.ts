/**
 * External channel metrics (docs/SPEC.md section 7): the refresh targets, and the write of one accepted
 * provider snapshot.
 *
 * Lock order is the batch transaction's (see apply-batch.ts): event_stats row first, then the
 * channel_stats row, then the timeline_data row. A snapshot and an ingest batch of one event
 * therefore serialise on the event row and never deadlock.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { utcHour } from '../partitions/calendar.js'
import { ensureTimelinePartitionsFor } from '../partitions/timeline.js'
import { inputTime } from './input-time.js'
import { PROVIDER_COUNTER_COLUMNS, type ChannelTypeValue, type Database } from '../schema/types.js'

/** Cumulative counters of one snapshot, already validated (integers >= 0, completed <= total). */
export interface ChannelSnapshot {
  readonly impressions: number
  readonly views: number
  readonly clicks: number
  readonly conversions: number
  readonly likes: number
  readonly comments: number
  readonly shares: number
  readonly totalCalls: number
  readonly completedCalls: number
  /** Decimal string, scale 2. */
  readonly averageDurationSec: string
  readonly asOf: Date
}

/** The channel's stored counters (all 0 and metricsAsOf null before its first snapshot). */
export type StoredChannelMetrics = Omit<ChannelSnapshot, 'asOf'> & { readonly metricsAsOf: Date | null }

/** Returns a rejection reason, or null to accept. Runs under the row locks. */
export type SnapshotCheck = (stored: StoredChannelMetrics, next: ChannelSnapshot) => string | null

export interface RefreshTarget {
  readonly eventId: string
  readonly userId: string | null
  readonly channelName: string
  readonly channelType: ChannelTypeValue
  /** Participants applied to the channel so far (a hint for the provider). */
  readonly participants: number
}

export type ApplySnapshotResult =
  | { readonly status: 'applied'; readonly userId: string | null; readonly viewsDelta: number }
  | { readonly status: 'rejected'; readonly reason: string }
  /** The event is gone, no longer ACTIVE/visible, or the channel does not exist. */
  | { readonly status: 'skipped' }

/** Every typed channel of every ACTIVE visible event (event_created_at set), optionally of one type. */
export async function listRefreshTargets(db: Kysely<Database>, channelType?: ChannelTypeValue): Promise<RefreshTarget[]> {
  let query = db
    .selectFrom('channel_stats as c')
    .innerJoin('event_stats as e', 'e.event_id', 'c.event_id')
    .select(['c.event_id', 'e.user_id', 'c.channel_name', 'c.channel_type', 'c.participants'])
    .where('e.status', '=', 'ACTIVE')
    .where('e.event_created_at', 'is not', null)
    .where('c.channel_type', 'is not', null)
  if (channelType !== undefined) query = query.where('c.channel_type', '=', channelType)
  const rows = await query.orderBy('c.event_id').orderBy('c.channel_name').execute()
  return rows.flatMap((row) =>
    row.channel_type === null
      ? []
      : [
          {
            eventId: row.event_id,
            userId: row.user_id,
            channelName: row.channel_name,
            channelType: row.channel_type,
            participants: row.participants,
          },
        ],
  )
}

/**
 * One transaction: lock the event row, lock and check the channel row, overwrite its counters,
 * add the increase to the snapshot's hourly bucket, recompute total_views. The timeline
 * partition is ensured before (DDL never inside the transaction).
 */
export async function storeChannelSnapshot(
  db: Kysely<Database>,
  target: { readonly eventId: string; readonly channelName: string },
  snapshot: ChannelSnapshot,
  check: SnapshotCheck,
): Promise<ApplySnapshotResult> {
  const hour = utcHour(snapshot.asOf.getTime())
  await ensureTimelinePartitionsFor(db, [hour])
  return db.transaction().execute(async (trx) => {
    const event = await trx
      .selectFrom('event_stats')
      .select(['user_id', 'status', 'event_created_at'])
      .where('event_id', '=', target.eventId)
      .forUpdate()
      .executeTakeFirst()
    if (event === undefined || event.status !== 'ACTIVE' || event.event_created_at === null) return { status: 'skipped' }
    const row = await trx
      .selectFrom('channel_stats')
      .select([...PROVIDER_COUNTER_COLUMNS, 'average_duration_sec', 'metrics_as_of'])
      .where('event_id', '=', target.eventId)
      .where('channel_name', '=', target.channelName)
      .forUpdate()
      .executeTakeFirst()
    if (row === undefined) return { status: 'skipped' }
    const stored: StoredChannelMetrics = {
      impressions: row.impressions,
      views: row.views,
      clicks: row.clicks,
      conversions: row.conversions,
      likes: row.likes,
      comments: row.comments,
      shares: row.shares,
      totalCalls: row.total_calls,
      completedCalls: row.completed_calls,
      averageDurationSec: row.average_duration_sec,
      metricsAsOf: row.metrics_as_of,
    }
    const reason = check(stored, snapshot)
    if (reason !== null) return { status: 'rejected', reason }
    const delta = {
      views: snapshot.views - stored.views,
      engagement: snapshot.likes + snapshot.comments + snapshot.shares - (stored.likes + stored.comments + stored.shares),
      conversions: snapshot.conversions - stored.conversions,
    }
    // The check owns the rules; this guards the timeline against a check that forgot one.
    if (delta.views < 0 || delta.engagement < 0 || delta.conversions < 0) return { status: 'rejected', reason: 'backwards' }
    await trx
      .updateTable('channel_stats')
      .set({
        impressions: snapshot.impressions,
        views: snapshot.views,
        clicks: snapshot.clicks,
        conversions: snapshot.conversions,
        likes: snapshot.likes,
        comments: snapshot.comments,
        shares: snapshot.shares,
        total_calls: snapshot.totalCalls,
        completed_calls: snapshot.completedCalls,
        average_duration_sec: snapshot.averageDurationSec,
        metrics_as_of: snapshot.asOf,
        updated_at: sql`now()`,
        last_occurred_at: sql`GREATEST(last_occurred_at, ${inputTime(sql`${snapshot.asOf}::timestamptz`)})`,
      })
      .where('event_id', '=', target.eventId)
      .where('channel_name', '=', target.channelName)
      .execute()
    if (delta.views > 0 || delta.engagement > 0 || delta.conversions > 0) {
      await addTimelineIncrease(trx, target.eventId, hour, delta)
    }
    await trx
      .updateTable('event_stats')
      .set({
        total_views: sql`figures_total_views(event_id)`, // docs/SPEC.md section 6, migration 0006
        last_occurred_at: sql`GREATEST(last_occurred_at, ${inputTime(sql`${snapshot.asOf}::timestamptz`)})`,
        updated_at: sql`now()`,
      })
      .where('event_id', '=', target.eventId)
      .execute()
    return { status: 'applied', userId: event.user_id, viewsDelta: delta.views }
  })
}

/**
 * Adds the increase to the hour's bucket. cumulative_participants of an existing row is left
 * alone (participants are the ingest batches' business); a NEW row starts with the running sum
 * of participants up to its hour, so the carried cumulative of the timeline stays right.
 */
async function addTimelineIncrease(
  trx: Kysely<Database>,
  eventId: string,
  hour: Date,
  delta: { views: number; engagement: number; conversions: number },
): Promise<void> {
  await trx
    .insertInto('timeline_data')
    .values({
      event_id: eventId,
      timestamp: hour,
      views: delta.views,
      engagement: delta.engagement,
      conversions: delta.conversions,
      cumulative_participants: sql`(SELECT coalesce(sum(t.participants), 0) FROM timeline_data AS t
        WHERE t.event_id = ${eventId} AND t."timestamp" <= ${hour})`,
    })
    .onConflict((oc) =>
      oc.columns(['event_id', 'timestamp']).doUpdateSet({
        views: sql`timeline_data.views + excluded.views`,
        engagement: sql`timeline_data.engagement + excluded.engagement`,
        conversions: sql`timeline_data.conversions + excluded.conversions`,
        updated_at: sql`now()`,
      }),
    )
    .execute()
}
