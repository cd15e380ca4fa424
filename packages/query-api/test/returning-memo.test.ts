/**
 * The returning split kept per version, on real PostgreSQL: participations written behind the
 * fold's back (the fold is their only writer) stay unseen while the version holds, and show once a
 * fold's write to returning_progress, or an event the owner gains, moves it. The cost per new
 * participant follows the investment even while the split is reused.
 */
import t from 'tap'
import { sql } from 'kysely'
import { readEventReturning, readUserEventsReturning } from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import { ReturningMemo } from '../src/cache/returning-memo.js'

const { db } = await createTestDatabase(t)
const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 9, minute))

async function participate(eventId: string, participantId: string, minute: number): Promise<void> {
  await db
    .insertInto('event_participants')
    .values({ event_id: eventId, participant_id: participantId, channel_name: 'KAKAO', first_registered_at: at(minute) })
    .execute()
}

t.test('a split is reused while its version holds, and read again once a fold or the owner moves it', async (t) => {
  await db
    .insertInto('event_stats')
    .values([
      { event_id: 'memo-a', user_id: 'memo-owner', own_investment: '900.00' },
      { event_id: 'memo-b', user_id: 'memo-owner', own_investment: '0.00' },
    ])
    .execute()
  await participate('memo-a', 'p1', 10)
  const memo = new ReturningMemo()
  const first = await memo.read(db, 'memo-a')
  t.same([first.new_participants, first.returning_participants], [1, 0])

  await participate('memo-a', 'p2', 11)
  const reused = await memo.read(db, 'memo-a')
  t.equal(reused.new_participants, 1, 'no fold wrote: the kept split is served')
  t.equal((await readEventReturning(db, 'memo-a')).new_participants, 2, 'though the table has moved on')

  await sql`UPDATE returning_progress SET folded_at = now()`.execute(db)
  t.equal((await memo.read(db, 'memo-a')).new_participants, 2, "a fold's write moves the version: read again")

  await participate('memo-b', 'p1', 1)
  t.equal(
    (await memo.read(db, 'memo-a')).returning_participants,
    0,
    'a participation in another event of the owner, written without a fold: still the kept split',
  )
  await db.insertInto('event_stats').values({ event_id: 'memo-c', user_id: 'memo-owner' }).execute()
  await participate('memo-c', 'p2', 2)
  const owned = await memo.read(db, 'memo-a')
  t.same([owned.new_participants, owned.returning_participants], [0, 2], 'the owner gained an event: read again, p1 and p2 now return')

  await db.updateTable('event_stats').set({ own_investment: '1000.00' }).where('event_id', '=', 'memo-a').execute()
  t.same((await memo.read(db, 'memo-a')).cost_per_new_participant, (await readEventReturning(db, 'memo-a')).cost_per_new_participant)
})

t.test(
  "an owner's summary split is reused while the owner's version holds, and read again once a fold or a new event moves it",
  async (t) => {
    await db
      .insertInto('event_stats')
      .values([
        { event_id: 'owner-a', user_id: 'summary-owner' },
        { event_id: 'owner-b', user_id: 'summary-owner' },
      ])
      .execute()
    await participate('owner-a', 'q1', 10)
    const memo = new ReturningMemo()
    const split = async () => {
      const owner = await memo.readOwner(db, 'summary-owner')
      return [...owner.events.values()].map((row) => [row.event_id, Number(row.new_participants), Number(row.returning_participants)])
    }
    t.same(await split(), [['owner-a', 1, 0]])

    await participate('owner-b', 'q1', 20)
    t.same(await split(), [['owner-a', 1, 0]], 'no fold wrote: the kept split is served')
    t.equal((await readUserEventsReturning(db, 'summary-owner')).events.size, 2, 'though the table has moved on')

    await sql`UPDATE returning_progress SET folded_at = now()`.execute(db)
    t.same(
      (await split()).sort(),
      [
        ['owner-a', 1, 0],
        ['owner-b', 0, 1],
      ],
      "a fold's write moves the version: read again, q1 returns in owner-b",
    )

    await db.insertInto('event_stats').values({ event_id: 'owner-c', user_id: 'summary-owner' }).execute()
    await participate('owner-c', 'q1', 1)
    t.same(
      (await split()).sort(),
      [
        ['owner-a', 0, 1],
        ['owner-b', 0, 1],
        ['owner-c', 1, 0],
      ],
      'the owner gained an event: read again, q1 now first joined in owner-c',
    )
    t.same(
      (await memo.readOwner(db, 'summary-owner')).as_of,
      (await readUserEventsReturning(db, 'summary-owner')).as_of,
      'the asOf comes with the split it belongs to',
    )
  },
)
