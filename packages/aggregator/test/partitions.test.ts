/** Data of a month without a partition lands in a partition created for it (not in DEFAULT). */
import t from 'tap'
import { createTestDatabase } from '@event-analytics/db/testing'
import { listPartitions } from '@event-analytics/db'
import { commitMessages } from '../src/apply.js'

t.test('a participant of a far month creates that month partition', async (t) => {
  const { db } = await createTestDatabase(t)
  const occurredAt = Date.UTC(2019, 2, 15, 13, 45)
  t.notOk((await listPartitions(db, 'timeline_data')).includes('timeline_data_p2019_03'))
  await commitMessages(db, [
    { kind: 'ParticipantRegistered', messageId: 'old-1', eventId: 'ev-old', occurredAt, participantId: 'p', channelName: null },
  ])
  t.ok((await listPartitions(db, 'timeline_data')).includes('timeline_data_p2019_03'))
  const inPartition = await db
    .selectFrom('timeline_data_p2019_03' as 'timeline_data')
    .selectAll()
    .execute()
  t.same(
    inPartition.map((row) => [row.event_id, row.timestamp.toISOString(), row.participants, row.cumulative_participants]),
    [['ev-old', '2019-03-15T13:00:00.000Z', 1, 1]],
  )
})
