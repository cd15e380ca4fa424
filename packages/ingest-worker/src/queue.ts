import { INGEST_QUEUE_NAME, type IngestBatchJob } from '@event-analytics/contracts'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import type { PlannedJob } from './pipeline.js'

export interface IngestQueue {
  enqueue(jobs: readonly PlannedJob[]): Promise<void>
  /** Jobs not yet picked up by an aggregator. */
  backlog(): Promise<number>
  ping(): Promise<void>
  close(): Promise<void>
}

export function createIngestQueue(redisUrl: string, prefix: string): IngestQueue {
  // BullMQ wants maxRetriesPerRequest null so a Redis restart blocks instead of failing jobs.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false })
  const queue = new Queue<IngestBatchJob>(INGEST_QUEUE_NAME, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 3600, count: 5000 },
      removeOnFail: false,
    },
  })
  return {
    async enqueue(jobs) {
      if (jobs.length === 0) return
      await queue.addBulk(jobs.map((job) => ({ name: 'kafka-batch', data: job.data, opts: { jobId: job.id } })))
    },
    backlog: () => queue.count(),
    async ping() {
      await connection.ping()
    },
    async close() {
      await queue.close()
      connection.disconnect()
    },
  }
}
