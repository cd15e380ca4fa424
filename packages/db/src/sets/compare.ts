import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'
import { PUBLIC_SET, assertSetName } from './names.js'

/** One figure of one event that differs between two sets. Values as text (exact decimals, counts). */
export interface FigureDifference {
  /** Dotted path: `participants`, `roi`, `channels.<name>.participants`, `timeline.participants`, ... */
  readonly field: string
  readonly before: string | null
  readonly after: string | null
}

export interface EventDifference {
  readonly eventId: string
  readonly userId: string | null
  /** `changed`: in both sets with other figures; `missing`: only in the first set; `added`: only in the second. */
  readonly kind: 'changed' | 'missing' | 'added'
  readonly fields: readonly FigureDifference[]
}

export interface SetComparison {
  readonly before: string
  readonly after: string
  readonly comparedAt: Date
  readonly eventsBefore: number
  readonly eventsAfter: number
  /** Newest batch commit in each set (max last_committed_at): how far each had got. */
  readonly lastCommitBefore: Date | null
  readonly lastCommitAfter: Date | null
  /** Batches of registrations each set has not folded yet: its `returningFolded` lags by them (seconds). */
  readonly unfoldedBefore: number
  readonly unfoldedAfter: number
  /** Every event whose figures differ, by event id. */
  readonly differences: readonly EventDifference[]
}

type Figures = Record<string, unknown>

/**
 * What a reader sees of an event, from one set: the event's counts, sums and stored derived figures
 * (docs/SPEC.md section 6), per channel the log's counters and the provider's, the timeline's sums, and
 * the returning participants folded. Bookkeeping times (updated_at, last_committed_at, ...) are left
 * out: they differ by construction.
 */
function figuresOf(set: string) {
  return sql`
    SELECT e.event_id, jsonb_build_object(
      'owner', e.user_id, 'title', e.title, 'status', e.status,
      'participants', e.total_participants, 'views', e.total_views,
      'ownInvestment', e.own_investment::text, 'distributionCost', e.distribution_cost::text,
      'totalInvestment', e.total_investment::text, 'expectedRevenue', e.expected_revenue::text,
      'estimatedRevenue', e.estimated_revenue::text, 'roi', e.estimated_roi::text,
      'targetRoi', e.target_roi::text, 'expectedParticipants', e.expected_participants,
      'startsAt', e.starts_at, 'endsAt', e.ends_at,
      'channels', (
        SELECT coalesce(jsonb_object_agg(c.channel_name, jsonb_build_object(
          'type', c.channel_type, 'participants', c.participants, 'distributions', c.distribution_count,
          'distributionCost', c.distribution_cost::text, 'impressions', c.impressions, 'views', c.views,
          'clicks', c.clicks, 'conversions', c.conversions, 'likes', c.likes, 'comments', c.comments,
          'shares', c.shares, 'totalCalls', c.total_calls, 'completedCalls', c.completed_calls)), '{}'::jsonb)
        FROM ${sql.id(set, 'channel_stats')} AS c WHERE c.event_id = e.event_id),
      'timeline', (
        SELECT jsonb_build_object('hours', count(*), 'participants', coalesce(sum(t.participants), 0),
          'views', coalesce(sum(t.views), 0), 'engagement', coalesce(sum(t.engagement), 0),
          'conversions', coalesce(sum(t.conversions), 0), 'lastCumulative', coalesce(max(t.cumulative_participants), 0))
        FROM ${sql.id(set, 'timeline_data')} AS t WHERE t.event_id = e.event_id),
      'returningFolded', (SELECT count(*) FROM ${sql.id(set, 'event_participants')} AS p WHERE p.event_id = e.event_id)
    ) AS figures
    FROM ${sql.id(set, 'event_stats')} AS e`
}

/**
 * Compares two sets in one snapshot (REPEATABLE READ): every event whose figures differ, with each
 * differing figure before and after. Read-only; run adoptProviderMetrics first so provider metrics
 * (not in the log) do not show as differences.
 */
export async function compareProjectionSets(db: Kysely<Database>, before: string, after: string): Promise<SetComparison> {
  for (const set of [before, after]) if (set !== PUBLIC_SET) assertSetName(set)
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const { rows } = await sql<{ event_id: string; before: Figures | null; after: Figures | null }>`
        WITH b AS (${figuresOf(before)}), a AS (${figuresOf(after)})
        SELECT coalesce(b.event_id, a.event_id) AS event_id, b.figures AS before, a.figures AS after
        FROM b FULL JOIN a ON a.event_id = b.event_id
        WHERE b.figures IS DISTINCT FROM a.figures
        ORDER BY 1`.execute(trx)
      const counts = await sql<{
        before: number
        after: number
        before_commit: Date | null
        after_commit: Date | null
        before_unfolded: number
        after_unfolded: number
        now: Date
      }>`
        SELECT (SELECT count(*) FROM ${sql.id(before, 'event_stats')}) AS before,
               (SELECT count(*) FROM ${sql.id(after, 'event_stats')}) AS after,
               (SELECT max(last_committed_at) FROM ${sql.id(before, 'event_stats')}) AS before_commit,
               (SELECT max(last_committed_at) FROM ${sql.id(after, 'event_stats')}) AS after_commit,
               (SELECT count(*) FROM ${sql.id(before, 'participant_registrations')}) AS before_unfolded,
               (SELECT count(*) FROM ${sql.id(after, 'participant_registrations')}) AS after_unfolded,
               now() AS now`.execute(trx)
      const summary = counts.rows[0]
      if (summary === undefined) throw new Error('comparison summary missing')
      return {
        before,
        after,
        comparedAt: summary.now,
        eventsBefore: Number(summary.before),
        eventsAfter: Number(summary.after),
        lastCommitBefore: summary.before_commit,
        lastCommitAfter: summary.after_commit,
        unfoldedBefore: Number(summary.before_unfolded),
        unfoldedAfter: Number(summary.after_unfolded),
        differences: rows.map((row) => eventDifference(row.event_id, row.before, row.after)),
      }
    })
}

function eventDifference(eventId: string, before: Figures | null, after: Figures | null): EventDifference {
  const owner = (after?.['owner'] ?? before?.['owner'] ?? null) as string | null
  const kind = before === null ? 'added' : after === null ? 'missing' : 'changed'
  const flatBefore = flatten(before ?? {})
  const flatAfter = flatten(after ?? {})
  const fields = [...new Set([...flatBefore.keys(), ...flatAfter.keys()])]
    .sort()
    .filter((field) => flatBefore.get(field) !== flatAfter.get(field))
    .map((field) => ({ field, before: flatBefore.get(field) ?? null, after: flatAfter.get(field) ?? null }))
  return { eventId, userId: owner, kind, fields }
}

/** Leaves of a figures object by dotted path, as text (null leaves are left out: absent and null read the same). */
function flatten(value: Figures, prefix = '', into = new Map<string, string>()): Map<string, string> {
  for (const [key, leaf] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (leaf !== null && typeof leaf === 'object' && !Array.isArray(leaf)) flatten(leaf as Figures, path, into)
    else if (leaf !== null && leaf !== undefined) into.set(path, String(leaf))
  }
  return into
}
