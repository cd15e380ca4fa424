/**
 * A long-running aggregator keeps the exactly-once bookkeeping current: found with the epoch
 * 20 days behind (a deployment migrated long ago), it rolls the epoch to today, drops the
 * dedupe partition past its retention, and forgets settlements as old, at start.
 */
import t from 'tap'
import { addDays, dedupePartitionName, ensureDedupePartition, listPartitions, utcDay, DEDUPE_TABLE } from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import { createAggregator } from '../src/index.js'
import { testConfig, uniquePrefix } from './helpers/queue.js'

t.test('the epoch is rolled, expired claims and settlements dropped', async (t) => {
  const { db, url } = await createTestDatabase(t)
  const today = utcDay(new Date())
  const longAgo = addDays(today, -20)
  await ensureDedupePartition(db, longAgo)
  await db.updateTable('dedupe_epoch').set({ current_day: longAgo }).execute()
  await db
    .insertInto('settled_jobs')
    .values([
      { job_id: 'old-job', settled_at: new Date(Date.now() - 20 * 86_400_000) },
      { job_id: 'recent-job', settled_at: new Date() },
    ])
    .execute()

  const aggregator = createAggregator(testConfig(url, uniquePrefix('maintenance')), { defaultMetrics: false })
  await aggregator.start()
  t.teardown(() => aggregator.close())

  const epoch = await db.selectFrom('dedupe_epoch').select('current_day').executeTakeFirstOrThrow()
  t.equal(epoch.current_day, today, 'new claims go into today')
  const partitions = await listPartitions(db, DEDUPE_TABLE)
  t.ok(partitions.includes(dedupePartitionName(today)), "today's partition exists")
  t.notOk(partitions.includes(dedupePartitionName(longAgo)), 'the 20-day-old partition is dropped')
  const jobs = await db.selectFrom('settled_jobs').select('job_id').orderBy('job_id').execute()
  t.same(
    jobs.map((row) => row.job_id),
    ['recent-job'],
    'old settlements forgotten, recent ones kept',
  )
})
