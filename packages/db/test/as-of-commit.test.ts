/**
 * docs/SPEC.md section 9: asOf (`last_occurred_at`) is never in the future; an input dated ahead
 * counts as of the commit that applied it. The event row also keeps its newest commit's time and
 * the ingest read time that came with it (the pipeline delay). Migration 0008 clamps what older
 * releases stored ahead.
 */
import t from 'tap'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { migrateToLatest, storeChannelSnapshot, upsertBatchDeltas } from '../src/index.js'
import type { BatchWriteModel, Database, EventDelta } from '../src/index.js'
import { createDatabaseAtMigration, createTestDatabase } from '../src/testing/index.js'

const HOUR_MS = 3_600_000

function delta(eventId: string, occurredAt: number, ingestReadAt?: number): EventDelta {
  return {
    eventId,
    participants: 1,
    distributionCost: '0.00',
    created: {
      occurredAt: new Date(occurredAt),
      userId: 'owner-asof',
      title: 'Ahead',
      ownInvestment: '100.00',
      expectedRevenue: '200.00',
      expectedParticipants: 10,
      targetRoi: '0.00',
      salesGrowthRate: null,
    },
    status: null,
    lastOccurredAt: new Date(occurredAt),
    ...(ingestReadAt === undefined ? {} : { ingestReadAt: new Date(ingestReadAt) }),
  }
}

function model(event: EventDelta, channel?: string): BatchWriteModel {
  return {
    events: [event],
    channels:
      channel === undefined
        ? []
        : [
            {
              eventId: event.eventId,
              channelName: channel,
              channelType: 'SNS',
              participants: 1,
              distributionCount: 0,
              distributionCost: '0.00',
              lastOccurredAt: event.lastOccurredAt,
            },
          ],
    timeline: [],
  }
}

async function apply(db: Kysely<Database>, write: BatchWriteModel): Promise<{ before: number; after: number }> {
  const before = Date.now()
  await db.transaction().execute((trx) => upsertBatchDeltas(trx, write))
  return { before, after: Date.now() }
}

async function eventRow(db: Kysely<Database>, eventId: string) {
  return db
    .selectFrom('event_stats')
    .select(['last_occurred_at', 'last_committed_at', 'last_ingest_read_at'])
    .where('event_id', '=', eventId)
    .executeTakeFirstOrThrow()
}

async function channelAsOf(db: Kysely<Database>, eventId: string, channelName: string): Promise<Date | null> {
  const row = await db
    .selectFrom('channel_stats')
    .select('last_occurred_at')
    .where('event_id', '=', eventId)
    .where('channel_name', '=', channelName)
    .executeTakeFirstOrThrow()
  return row.last_occurred_at
}

t.test('a message dated 10 h ahead counts as of the commit that applied it', async (t) => {
  const { db } = await createTestDatabase(t)
  const readAt = Date.now() - 400
  const { before, after } = await apply(db, model(delta('ahead-1', Date.now() + 10 * HOUR_MS, readAt), 'INSTAGRAM'))
  const row = await eventRow(db, 'ahead-1')
  const asOf = row.last_occurred_at!.getTime()
  t.ok(asOf >= before && asOf <= after, `the event's asOf ${row.last_occurred_at!.toISOString()} is the commit's time`)
  t.ok(asOf <= Date.now(), 'not in the future at read time')
  const channel = (await channelAsOf(db, 'ahead-1', 'INSTAGRAM'))!.getTime()
  t.ok(channel >= before && channel <= asOf, "the channel's too, never past its event's")

  const committed = row.last_committed_at!.getTime()
  t.ok(committed >= asOf && committed <= after, 'the commit time is kept')
  t.same(row.last_ingest_read_at, new Date(readAt), 'with the read time the batch carried')

  // A later batch with a past input: asOf stays (GREATEST), the commit pair is the newest one's.
  await apply(db, model(delta('ahead-1', Date.now() - HOUR_MS)))
  const later = await eventRow(db, 'ahead-1')
  t.same(later.last_occurred_at, row.last_occurred_at, 'an older input does not move asOf back')
  t.ok(later.last_committed_at!.getTime() >= committed, 'the newest commit')
  t.equal(later.last_ingest_read_at, null, 'whose jobs carried no read time: unknown, not the previous one')
})

t.test('an input in the past is taken as is', async (t) => {
  const { db } = await createTestDatabase(t)
  const past = Date.UTC(2026, 0, 5, 9, 30)
  await apply(db, model(delta('past-1', past), 'GENIE_TV'))
  t.same((await eventRow(db, 'past-1')).last_occurred_at, new Date(past))
  t.same(await channelAsOf(db, 'past-1', 'GENIE_TV'), new Date(past))
})

t.test('a channel snapshot dated ahead counts as of its commit too', async (t) => {
  const { db } = await createTestDatabase(t)
  await apply(db, model(delta('snap-1', Date.UTC(2026, 0, 5)), 'INSTAGRAM'))
  const before = Date.now()
  const result = await storeChannelSnapshot(
    db,
    { eventId: 'snap-1', channelName: 'INSTAGRAM' },
    {
      impressions: 10,
      views: 5,
      clicks: 1,
      conversions: 0,
      likes: 0,
      comments: 0,
      shares: 0,
      totalCalls: 0,
      completedCalls: 0,
      averageDurationSec: '0.00',
      asOf: new Date(Date.now() + 10 * HOUR_MS),
    },
    () => null,
  )
  const after = Date.now()
  t.equal(result.status, 'applied')
  for (const asOf of [(await eventRow(db, 'snap-1')).last_occurred_at, await channelAsOf(db, 'snap-1', 'INSTAGRAM')]) {
    t.ok(asOf!.getTime() >= before && asOf!.getTime() <= after, `asOf ${asOf!.toISOString()} is the commit's time`)
  }
})

t.test('migration 0009 clamps what an older release stored ahead', async (t) => {
  const db = await createDatabaseAtMigration(t, '0007_compact_claims')
  const ahead = new Date(Date.now() + 10 * HOUR_MS)
  const past = new Date(Date.UTC(2026, 0, 5))
  const writtenAt = new Date(Date.now() - 60_000)
  await sql`
    INSERT INTO event_stats (event_id, last_occurred_at, updated_at)
    VALUES ('old-ahead', ${ahead}, ${writtenAt}), ('old-past', ${past}, ${writtenAt})`.execute(db)
  await sql`
    INSERT INTO channel_stats (event_id, channel_name, last_occurred_at, updated_at)
    VALUES ('old-ahead', 'INSTAGRAM', ${ahead}, ${writtenAt})`.execute(db)
  t.ok((await migrateToLatest(db)).includes('0009_as_of_commit'), '0009 (and any later migration) applied')
  const clamped = await eventRow(db, 'old-ahead')
  t.same(clamped.last_occurred_at, writtenAt, 'a future asOf becomes the time of the write that applied it at the latest')
  t.same(await channelAsOf(db, 'old-ahead', 'INSTAGRAM'), writtenAt, 'on channels too')
  t.same((await eventRow(db, 'old-past')).last_occurred_at, past, 'a past asOf is untouched')
  t.equal(clamped.last_committed_at, null, 'no commit time is invented')
  t.equal(clamped.last_ingest_read_at, null)
})
