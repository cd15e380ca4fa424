/**
 * The aggregator's write path: the typed write model a folded batch produces, and the
 * upserts that add it to the projections inside the caller's batch transaction.
 *
 * Deadlock avoidance: every batch locks rows in one global order. Message claims first
 * (sorted ids, see claimMessages), then event_stats rows by event_id, then channel_stats by
 * (event_id, channel_name), then timeline_data by (event_id, hour). (Registrations are appended to
 * a log without keys: no lock to order.) Every channel and timeline row written belongs to an event whose event_stats row the same transaction has already
 * locked, so two batches touching one event serialise on that row. Callers still retry
 * 40P01 / 40001 as a safety net.
 *
 * Rows travel as one array per column through `unnest` (its rows come out in array order, so
 * the sorted lock order holds): a constant statement text and a handful of parameters
 * whatever the batch size; the upserts of a 2,500-message batch took ~30% less time than with
 * multi-row VALUES (measured 2026-11-25, 60k bench messages).
 */
import { EVENT_STATUSES } from '@event-analytics/contracts'
import { sql } from 'kysely'
import type { Transaction } from 'kysely'
import type { ChannelTypeValue, Database, EventStatusValue } from '../schema/types.js'
import { refreshBatchFigures } from './event-figures.js'
import { inputTime } from './input-time.js'
import { appendRegistrations } from './apply-participations.js'
import { numberArrayLiteral, textArrayLiteral, timestampArrayLiteral } from '../array-literal.js'
import type { ParticipationDelta } from './apply-participations.js'

/** Descriptive fields of the winning EventCreated (latest occurredAt, ties by content). */
export interface EventCreatedFields {
  readonly occurredAt: Date
  readonly userId: string
  readonly title: string
  readonly ownInvestment: string
  readonly expectedRevenue: string
  readonly expectedParticipants: number | null
  readonly targetRoi: string
  readonly salesGrowthRate: string | null
  /** The schedule (writer schema v2); absent or null when the message gave none. */
  readonly startsAt?: Date | null
  readonly endsAt?: Date | null
}

/** The winning status change of a batch (latest occurredAt, ties by status rank). */
export interface StatusChange {
  readonly status: EventStatusValue
  readonly occurredAt: Date
}

export interface EventDelta {
  readonly eventId: string
  /** Added to total_participants. */
  readonly participants: number
  /** Decimal string, scale 2; added to distribution_cost. */
  readonly distributionCost: string
  readonly created: EventCreatedFields | null
  readonly status: StatusChange | null
  /**
   * Newest occurredAt among the batch's messages of the event (kept as GREATEST: the views' asOf;
   * one dated ahead counts as of the commit, see input-time.ts).
   */
  readonly lastOccurredAt: Date
  /**
   * When the ingest worker read the earliest of the batch's messages of the event from Kafka;
   * absent or null when their jobs did not say. Stored with the commit time: the pipeline delay.
   */
  readonly ingestReadAt?: Date | null
}

export interface ChannelDelta {
  readonly eventId: string
  readonly channelName: string
  /** Greatest type named by the batch's distributions (NULL: only participants named it). */
  readonly channelType: ChannelTypeValue | null
  readonly participants: number
  readonly distributionCount: number
  /** Decimal string, scale 2. */
  readonly distributionCost: string
  /** Newest occurredAt among the batch's messages naming the channel. */
  readonly lastOccurredAt: Date
  /** Newest occurredAt among the batch's participants of the channel (absent or null: none). */
  readonly lastParticipantAt?: Date | null
}

export interface TimelineDelta {
  readonly eventId: string
  /** Start of the UTC hour. */
  readonly hour: Date
  readonly participants: number
}

/** What one batch adds to the projections. Every channel/timeline eventId has an EventDelta. */
export interface BatchWriteModel {
  readonly events: readonly EventDelta[]
  readonly channels: readonly ChannelDelta[]
  readonly timeline: readonly TimelineDelta[]
  /** Each participant's earliest registration per event (returning participants; absent: none). */
  readonly participations?: readonly ParticipationDelta[]
}

export interface AppliedEvent {
  readonly eventId: string
  /** The owner as stored after the batch (NULL until EventCreated arrived). */
  readonly userId: string | null
}

export interface ApplyBatchResult {
  readonly events: readonly AppliedEvent[]
  /** Rows inserted or updated by the delta upserts (the fold ratio's denominator; participations, one per participant, apart). */
  readonly rowsWritten: number
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Adds `model` to the projections inside `trx`; returns the touched events and their owners. */
export async function upsertBatchDeltas(trx: Transaction<Database>, model: BatchWriteModel): Promise<ApplyBatchResult> {
  if (!trx.isTransaction) throw new Error('upsertBatchDeltas must run inside the batch transaction')
  if (model.events.length === 0) return { events: [], rowsWritten: 0 }
  const events = [...model.events].sort((a, b) => compareText(a.eventId, b.eventId))
  const channels = [...model.channels].sort((a, b) => compareText(a.eventId, b.eventId) || compareText(a.channelName, b.channelName))
  const timeline = [...model.timeline].sort((a, b) => compareText(a.eventId, b.eventId) || a.hour.getTime() - b.hour.getTime())
  await upsertEvents(trx, events)
  if (channels.length > 0) await upsertChannels(trx, channels)
  if (timeline.length > 0) await upsertTimeline(trx, timeline)
  if (timeline.length > 0) await recomputeCumulative(trx, earliestHours(timeline))
  await appendRegistrations(trx, model.participations ?? [])
  const applied = await recomputeDerived(
    trx,
    events.map((row) => row.eventId),
  )
  return { events: applied, rowsWritten: events.length + channels.length + timeline.length }
}

/** EVENT_STATUSES is in lifecycle order. */
const STATUS_RANK = sql`${[...EVENT_STATUSES]}::varchar[]`

/** Last writer by occurredAt; on a tie the later status in the lifecycle wins (order-independent). */
const statusWins = sql<boolean>`excluded.status_changed_at IS NOT NULL AND (
  event_stats.status_changed_at IS NULL
  OR excluded.status_changed_at > event_stats.status_changed_at
  OR (excluded.status_changed_at = event_stats.status_changed_at
      AND array_position(${STATUS_RANK}, excluded.status) > array_position(${STATUS_RANK}, event_stats.status)))`

/** The EventCreated ordering key: occurredAt, then the content, so duplicates resolve the same in any order. */
function createdKey(table: 'excluded' | 'event_stats') {
  const t = sql.raw(table)
  return sql`(${t}.event_created_at, ${t}.user_id COLLATE "C", ${t}.title COLLATE "C", ${t}.own_investment,
    ${t}.expected_revenue, ${t}.target_roi, coalesce(${t}.expected_participants, -1),
    coalesce(${t}.sales_growth_rate, -1000000000), coalesce(${t}.starts_at, '-infinity'),
    coalesce(${t}.ends_at, '-infinity'))`
}

const createdWins = sql<boolean>`excluded.event_created_at IS NOT NULL AND (
  event_stats.event_created_at IS NULL OR ${createdKey('excluded')} > ${createdKey('event_stats')})`

function ifCreatedWins<T>(column: string) {
  return sql<T>`CASE WHEN ${createdWins} THEN excluded.${sql.raw(column)} ELSE event_stats.${sql.raw(column)} END`
}

async function upsertEvents(trx: Transaction<Database>, rows: readonly EventDelta[]): Promise<void> {
  const text = (pick: (row: EventDelta) => string | null) => textArrayLiteral(rows.map(pick))
  const instant = (pick: (row: EventDelta) => Date | null) => timestampArrayLiteral(rows.map(pick))
  const number = (pick: (row: EventDelta) => number | null) => numberArrayLiteral(rows.map(pick))
  await trx
    .insertInto('event_stats')
    .columns([
      'event_id',
      'user_id',
      'title',
      'event_created_at',
      'own_investment',
      'expected_revenue',
      'expected_participants',
      'target_roi',
      'sales_growth_rate',
      'starts_at',
      'ends_at',
      'status',
      'status_changed_at',
      'total_participants',
      'distribution_cost',
      'last_occurred_at',
      'last_committed_at',
      'last_ingest_read_at',
    ])
    .expression(
      // last_committed_at is the clock when the event rows are written (after the claims); the
      // commit follows within the batch's remaining statements.
      sql`SELECT u.event_id, u.user_id, u.title, u.event_created_at, u.own_investment, u.expected_revenue,
        u.expected_participants, u.target_roi, u.sales_growth_rate, u.starts_at, u.ends_at, u.status, u.status_changed_at,
        u.total_participants, u.distribution_cost, ${inputTime(sql`u.last_occurred_at`)}, clock_timestamp(), u.ingest_read_at
      FROM unnest(
      ${text((r) => r.eventId)}::varchar[], ${text((r) => r.created?.userId ?? null)}::varchar[],
      ${text((r) => r.created?.title ?? null)}::varchar[], ${instant((r) => r.created?.occurredAt ?? null)}::timestamptz[],
      ${text((r) => r.created?.ownInvestment ?? '0')}::numeric[], ${text((r) => r.created?.expectedRevenue ?? '0')}::numeric[],
      ${number((r) => r.created?.expectedParticipants ?? null)}::integer[], ${text((r) => r.created?.targetRoi ?? '0')}::numeric[],
      ${text((r) => r.created?.salesGrowthRate ?? null)}::numeric[], ${instant((r) => r.created?.startsAt ?? null)}::timestamptz[],
      ${instant((r) => r.created?.endsAt ?? null)}::timestamptz[], ${text((r) => r.status?.status ?? 'ACTIVE')}::varchar[],
      ${instant((r) => r.status?.occurredAt ?? null)}::timestamptz[], ${number((r) => r.participants)}::bigint[],
      ${text((r) => r.distributionCost)}::numeric[], ${instant((r) => r.lastOccurredAt)}::timestamptz[],
      ${instant((r) => r.ingestReadAt ?? null)}::timestamptz[])
      AS u(event_id, user_id, title, event_created_at, own_investment, expected_revenue, expected_participants, target_roi,
        sales_growth_rate, starts_at, ends_at, status, status_changed_at, total_participants, distribution_cost, last_occurred_at, ingest_read_at)`,
    )
    .onConflict((oc) =>
      oc.column('event_id').doUpdateSet({
        total_participants: sql`event_stats.total_participants + excluded.total_participants`,
        distribution_cost: sql`event_stats.distribution_cost + excluded.distribution_cost`,
        last_occurred_at: sql`GREATEST(event_stats.last_occurred_at, excluded.last_occurred_at)`,
        // The newest commit's pair, even when this batch's jobs did not stamp a read time.
        last_committed_at: sql`excluded.last_committed_at`,
        last_ingest_read_at: sql`excluded.last_ingest_read_at`,
        status: sql`CASE WHEN ${statusWins} THEN excluded.status ELSE event_stats.status END`,
        status_changed_at: sql`CASE WHEN ${statusWins} THEN excluded.status_changed_at ELSE event_stats.status_changed_at END`,
        user_id: ifCreatedWins<string | null>('user_id'),
        title: ifCreatedWins<string | null>('title'),
        own_investment: ifCreatedWins<string>('own_investment'),
        expected_revenue: ifCreatedWins<string>('expected_revenue'),
        expected_participants: ifCreatedWins<number | null>('expected_participants'),
        target_roi: ifCreatedWins<string>('target_roi'),
        sales_growth_rate: ifCreatedWins<string | null>('sales_growth_rate'),
        starts_at: ifCreatedWins<Date | null>('starts_at'),
        ends_at: ifCreatedWins<Date | null>('ends_at'),
        // Last, so the comparisons above still read the stored event_created_at.
        event_created_at: ifCreatedWins<Date | null>('event_created_at'),
        updated_at: sql`now()`,
      }),
    )
    .execute()
}

async function upsertChannels(trx: Transaction<Database>, rows: readonly ChannelDelta[]): Promise<void> {
  await trx
    .insertInto('channel_stats')
    .columns([
      'event_id',
      'channel_name',
      'channel_type',
      'participants',
      'distribution_count',
      'distribution_cost',
      'last_occurred_at',
      'last_participant_at',
    ])
    .expression(
      sql`SELECT u.event_id, u.channel_name, u.channel_type, u.participants, u.distribution_count, u.distribution_cost,
        ${inputTime(sql`u.last_occurred_at`)},
        -- LEAST ignores a NULL: a channel without participants in the batch must keep none, not now().
        CASE WHEN u.last_participant_at IS NOT NULL THEN ${inputTime(sql`u.last_participant_at`)} END
      FROM unnest(
      ${textArrayLiteral(rows.map((r) => r.eventId))}::varchar[], ${textArrayLiteral(rows.map((r) => r.channelName))}::varchar[],
      ${textArrayLiteral(rows.map((r) => r.channelType))}::varchar[], ${numberArrayLiteral(rows.map((r) => r.participants))}::bigint[],
      ${numberArrayLiteral(rows.map((r) => r.distributionCount))}::bigint[], ${textArrayLiteral(rows.map((r) => r.distributionCost))}::numeric[],
      ${timestampArrayLiteral(rows.map((r) => r.lastOccurredAt))}::timestamptz[],
      ${timestampArrayLiteral(rows.map((r) => r.lastParticipantAt ?? null))}::timestamptz[])
      AS u(event_id, channel_name, channel_type, participants, distribution_count, distribution_cost, last_occurred_at,
        last_participant_at)`,
    )
    .onConflict((oc) =>
      oc.columns(['event_id', 'channel_name']).doUpdateSet({
        participants: sql`channel_stats.participants + excluded.participants`,
        distribution_count: sql`channel_stats.distribution_count + excluded.distribution_count`,
        distribution_cost: sql`channel_stats.distribution_cost + excluded.distribution_cost`,
        last_occurred_at: sql`GREATEST(channel_stats.last_occurred_at, excluded.last_occurred_at)`,
        last_participant_at: sql`GREATEST(channel_stats.last_participant_at, excluded.last_participant_at)`,
        // GREATEST ignores NULL and is order-independent: a type once named is never lost,
        // and distributions that disagree resolve the same whatever their arrival order.
        channel_type: sql`GREATEST(channel_stats.channel_type, excluded.channel_type)`,
        updated_at: sql`now()`,
      }),
    )
    .execute()
}

async function upsertTimeline(trx: Transaction<Database>, rows: readonly TimelineDelta[]): Promise<void> {
  await trx
    .insertInto('timeline_data')
    .columns(['event_id', 'timestamp', 'participants'])
    .expression(
      sql`SELECT * FROM unnest(
      ${textArrayLiteral(rows.map((r) => r.eventId))}::varchar[], ${timestampArrayLiteral(rows.map((r) => r.hour))}::timestamptz[],
      ${numberArrayLiteral(rows.map((r) => r.participants))}::bigint[])`,
    )
    .onConflict((oc) =>
      oc.columns(['event_id', 'timestamp']).doUpdateSet({
        participants: sql`timeline_data.participants + excluded.participants`,
        updated_at: sql`now()`,
      }),
    )
    .execute()
}

/** The earliest hour each event's timeline rows are written at; `rows` sorted by event, then hour. */
function earliestHours(rows: readonly TimelineDelta[]): Map<string, Date> {
  const earliest = new Map<string, Date>()
  for (const row of rows) if (!earliest.has(row.eventId)) earliest.set(row.eventId, row.hour)
  return earliest
}

/**
 * cumulative_participants = running sum of participants by hour, recomputed (only rows whose
 * value changes are written) from the earliest hour the batch wrote for each event onward,
 * starting from the stored cumulative of the row before that hour (0 when none): a late bucket
 * raises every later bucket and a new bucket starts from its predecessor. Rows before the
 * earliest written hour are neither read nor written, which keeps the cost proportional to the
 * hours at and after the batch's data instead of to the event's whole history.
 * Invariant relied on: every stored row's cumulative is right, because each writer of an
 * event's timeline recomputes from its own earliest row onward. Safe under READ COMMITTED
 * because the event_stats row lock serialises the writers of one event's timeline.
 */
async function recomputeCumulative(trx: Transaction<Database>, earliest: ReadonlyMap<string, Date>): Promise<void> {
  await sql`
    UPDATE timeline_data AS t
    SET cumulative_participants = r.cumulative, updated_at = now()
    FROM (
      SELECT d.event_id, d."timestamp",
             s.base + sum(d.participants) OVER (PARTITION BY d.event_id ORDER BY d."timestamp") AS cumulative
      FROM (
        SELECT u.event_id, u.since,
               coalesce((SELECT p.cumulative_participants FROM timeline_data AS p
                         WHERE p.event_id = u.event_id AND p."timestamp" < u.since
                         ORDER BY p."timestamp" DESC LIMIT 1), 0) AS base
        FROM unnest(${textArrayLiteral([...earliest.keys()])}::varchar[], ${timestampArrayLiteral([...earliest.values()])}::timestamptz[]) AS u(event_id, since)
      ) AS s
      JOIN timeline_data AS d ON d.event_id = s.event_id AND d."timestamp" >= s.since
    ) AS r
    WHERE t.event_id = r.event_id AND t."timestamp" = r."timestamp"
      AND t.cumulative_participants <> r.cumulative`.execute(trx)
}

/**
 * docs/SPEC.md section 6: the stored figures of the touched events, by their one implementation
 * (the figures_* SQL functions of migration 0006, through refreshBatchFigures). Runs under the
 * event row locks this transaction took in upsertEvents.
 */
async function recomputeDerived(trx: Transaction<Database>, eventIds: readonly string[]): Promise<AppliedEvent[]> {
  return refreshBatchFigures(trx, eventIds)
}
