/**
 * The ingest queue's commands on a 3-master Redis Cluster of the test's own: enqueue, the
 * backlog count, and the committer's lost-job lookup (a job Redis has in no state) all run
 * BullMQ scripts over several keys of the queue, which a cluster allows only within one slot;
 * the prefix is hash-tagged for that. The eviction check reads every master.
 */
import t from 'tap'
import { INGEST_QUEUE_NAME, ingestJobId, type KafkaBatchSource } from '@event-analytics/contracts'
import { createLogger } from '@event-analytics/ops'
import { startRedisCluster } from '@event-analytics/ops/testing'
import { Redis } from 'ioredis'
import { createIngestQueue } from '../src/queue.js'
import { participant } from './helpers/events.js'

t.test('the ingest queue on a Redis Cluster', async (t) => {
  const cluster = await startRedisCluster({ masters: 3 })
  t.teardown(() => cluster.stop())
  const queue = createIngestQueue({ url: 'redis://unused', clusterNodes: cluster.nodes }, 'ingest-cluster', INGEST_QUEUE_NAME)
  t.teardown(() => queue.close())
  const logger = createLogger('queue-cluster-test', 'silent')
  await queue.checkSafety({ allowEviction: false, logger })

  const source: KafkaBatchSource = { topic: 'cluster-topic', partition: 0, firstOffset: '0', lastOffset: '1' }
  const data = { source, events: [participant('evt-1'), participant('evt-1')], offsets: ['0', '1'] }
  const id = ingestJobId(data, 0)
  await queue.enqueue([{ id, data }])
  t.equal(await queue.backlog(), 1, 'the job waits')
  t.same(await queue.missingJobs([id, 'cluster-topic|0|2-3']), ['cluster-topic|0|2-3'], 'only the job Redis never had is missing')

  const node = cluster.nodes[0]!
  const probe = new Redis({ host: node.host, port: node.port })
  t.teardown(() => probe.disconnect())
  t.equal(
    String(await probe.call('CLUSTER', 'KEYSLOT', `{ingest-cluster}:${INGEST_QUEUE_NAME}:wait`)),
    String(await probe.call('CLUSTER', 'KEYSLOT', 'ingest-cluster')),
    'the queue keys hash by the prefix alone',
  )
})
