import type { IngestBatchJob } from '@event-analytics/contracts'
import { checkQueueRedis, clusterQueuePrefix, createRedisClient, probeRedis, type Logger, type RedisEndpoint } from '@event-analytics/ops'
import { Queue } from 'bullmq'
import type { PlannedJob } from './pipeline.js'

export interface IngestQueue {
  /** Refuses an evicting Redis (UnsafeQueueRedisError); see checkQueueRedis. */
  checkSafety(options: { allowEviction: boolean; logger: Logger }): Promise<void>
  enqueue(jobs: readonly PlannedJob[]): Promise<void>
  /** Jobs not yet picked up by an aggregator. */
  backlog(): Promise<number>
  /** Of `ids`, the jobs Redis does not have (in no state at all). */
  missingJobs(ids: readonly string[]): Promise<string[]>
  ping(): Promise<void>
  close(): Promise<void>
}

/**
 * On a Redis Cluster the prefix is hash-tagged (clusterQueuePrefix, as the aggregator does), so
 * every key of the queue is in one slot: BullMQ's scripts, and getJobState for the committer's
 * lost-job lookup, name several of them at once.
 */
export function createIngestQueue(endpoint: RedisEndpoint, prefix: string, name: string): IngestQueue {
  // BullMQ wants maxRetriesPerRequest null so a Redis restart blocks instead of failing jobs.
  const connection = createRedisClient(endpoint, { maxRetriesPerRequest: null, lazyConnect: false })
  const queue = new Queue<IngestBatchJob>(name, {
    connection,
    prefix: clusterQueuePrefix(prefix, endpoint),
    defaultJobOptions: {
      // Failures are recorded in PostgreSQL and dead-lettered, never left failed in BullMQ;
      // retries here only cover an aggregator that crashed in the middle of the job.
      attempts: 8,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 3600, count: 5000 },
      removeOnFail: { age: 24 * 3600 },
    },
  })
  return {
    async checkSafety(options) {
      // On a connection of its own that does not queue commands: an unreachable Redis fails with its reason at once.
      await probeRedis(endpoint, (client) => checkQueueRedis(client, options))
    },
    async enqueue(jobs) {
      if (jobs.length === 0) return
      await queue.addBulk(jobs.map((job) => ({ name: 'kafka-batch', data: job.data, opts: { jobId: job.id } })))
    },
    backlog: () => queue.count(),
    async missingJobs(ids) {
      const states = await Promise.all(ids.map(async (id) => [id, await queue.getJobState(id)] as const))
      return states.filter(([, state]) => state === 'unknown').map(([id]) => id)
    },
    async ping() {
      await connection.ping()
    },
    async close() {
      await queue.close()
      connection.disconnect()
    },
  }
}
