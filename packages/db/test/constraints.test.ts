import t from 'tap'
import { sql } from 'kysely'
import { ensureTimelinePartitions } from '../src/index.js'
import type { NewChannelStats, NewEventStats, NewTimelineData } from '../src/index.js'
import { createTestDatabase } from '../src/testing/index.js'

const CHECK_VIOLATION = { code: '23514' }

const { db } = await createTestDatabase(t)
await ensureTimelinePartitions(db, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'))

let sequence = 0
const nextId = (): string => `evt-${++sequence}`

function insertEvent(values: Partial<NewEventStats>) {
  return db
    .insertInto('event_stats')
    .values({ event_id: nextId(), ...values })
    .execute()
}
function insertChannel(values: Partial<NewChannelStats>) {
  return db
    .insertInto('channel_stats')
    .values({ event_id: nextId(), channel_name: 'INSTAGRAM', ...values })
    .execute()
}
function insertBucket(values: Partial<NewTimelineData>) {
  return db
    .insertInto('timeline_data')
    .values({ event_id: nextId(), timestamp: new Date('2024-01-01T10:00:00Z'), ...values })
    .execute()
}

t.test('event_stats', async (t) => {
  await t.resolves(insertEvent({}), 'defaults form a valid row')
  await t.rejects(insertEvent({ status: 'PAUSED' as 'ACTIVE' }), CHECK_VIOLATION, 'unknown status')
  const money = ['own_investment', 'distribution_cost', 'total_investment', 'expected_revenue', 'estimated_revenue'] as const
  for (const column of money) {
    await t.rejects(insertEvent({ [column]: '-0.01' }), CHECK_VIOLATION, `negative ${column}`)
  }
  for (const column of ['total_participants', 'total_views', 'expected_participants'] as const) {
    await t.rejects(insertEvent({ [column]: -1 }), CHECK_VIOLATION, `negative ${column}`)
  }
  await t.resolves(insertEvent({ estimated_roi: '-100.00' }), 'estimated_roi is signed (deliberate deviation)')
  await t.resolves(insertEvent({ estimated_roi: '123456789012345678.99' }), 'estimated_roi holds huge percentages')
  await t.resolves(insertEvent({ target_roi: '-10.00', sales_growth_rate: '-5.50' }), 'percent rates are unchecked')
  const duplicate = nextId()
  await insertEvent({ event_id: duplicate })
  await t.rejects(db.insertInto('event_stats').values({ event_id: duplicate }).execute(), { code: '23505' }, 'event_id is unique')
})

t.test('channel_stats', async (t) => {
  await t.resolves(insertChannel({}), 'channel_type may be unknown (NULL) at first')
  await t.resolves(insertChannel({ channel_type: 'VOICE', total_calls: 3, completed_calls: 3 }), 'valid VOICE row')
  await t.rejects(insertChannel({ channel_type: 'RADIO' as 'TV' }), CHECK_VIOLATION, 'unknown channel_type')
  await t.rejects(insertChannel({ total_calls: 3, completed_calls: 4 }), CHECK_VIOLATION, 'completed_calls > total_calls')
  const counters = [
    'participants',
    'distribution_count',
    'impressions',
    'views',
    'clicks',
    'conversions',
    'likes',
    'comments',
    'shares',
    'total_calls',
  ] as const
  for (const column of counters) {
    await t.rejects(insertChannel({ [column]: -1 }), CHECK_VIOLATION, `negative ${column}`)
  }
  await t.rejects(insertChannel({ completed_calls: -1, total_calls: 0 }), CHECK_VIOLATION, 'negative completed_calls')
  await t.rejects(insertChannel({ distribution_cost: '-1.00' }), CHECK_VIOLATION, 'negative distribution_cost')
  await t.rejects(insertChannel({ average_duration_sec: '-0.50' }), CHECK_VIOLATION, 'negative average_duration_sec')
  await insertChannel({ event_id: 'dup', channel_name: 'GENIE_TV' })
  await t.rejects(insertChannel({ event_id: 'dup', channel_name: 'GENIE_TV' }), { code: '23505' }, 'unique (event_id, channel_name)')
})

t.test('timeline_data', async (t) => {
  await t.resolves(insertBucket({}), 'start of a UTC hour')
  await t.rejects(insertBucket({ timestamp: new Date('2024-01-01T10:30:00Z') }), CHECK_VIOLATION, 'mid-hour timestamp')
  await t.rejects(insertBucket({ timestamp: new Date('2024-01-01T10:00:00.001Z') }), CHECK_VIOLATION, 'sub-second offset')
  for (const column of ['participants', 'views', 'engagement', 'conversions', 'cumulative_participants'] as const) {
    await t.rejects(insertBucket({ [column]: -1 }), CHECK_VIOLATION, `negative ${column}`)
  }
})

t.test('the hour check is about UTC whatever the session time zone', async (t) => {
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL TIME ZONE 'Asia/Kolkata'`.execute(trx)
    await t.resolves(
      sql`INSERT INTO timeline_data (event_id, "timestamp") VALUES ('tz', '2024-01-01 05:30:00')`.execute(trx),
      '05:30 in Kolkata is 00:00 UTC',
    )
    await sql`SAVEPOINT probe`.execute(trx)
    await t.rejects(
      sql`INSERT INTO timeline_data (event_id, "timestamp") VALUES ('tz', '2024-01-01 06:00:00')`.execute(trx),
      CHECK_VIOLATION,
      'a local full hour that is 00:30 UTC is rejected',
    )
    await sql`ROLLBACK TO SAVEPOINT probe`.execute(trx)
  })
})
