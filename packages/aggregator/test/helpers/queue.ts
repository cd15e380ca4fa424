/** Real-Redis helpers: a BullMQ queue under a prefix unique to the test file. */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import { INGEST_QUEUE_NAME, ingestJobId } from '@event-analytics/contracts'
import type { IngestBatchJob, JobEvent } from '@event-analytics/contracts'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import type { AggregatorConfig } from '../../src/config.js'

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'

export function uniquePrefix(name: string): string {
  return `test-${name}-${process.pid}-${randomBytes(3).toString('hex')}`
}

export function testConfig(databaseUrl: string, prefix: string, overrides: Partial<AggregatorConfig> = {}): AggregatorConfig {
  return {
    databaseUrl,
    redisUrl: REDIS_URL,
    cacheRedisUrl: REDIS_URL,
    queueName: INGEST_QUEUE_NAME,
    queuePrefix: prefix,
    changesChannel: `${prefix}:changes`,
    batchMaxMessages: 50,
    batchMaxWaitMs: 20,
    opsPort: null,
    opsHost: '127.0.0.1',
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    maxStalledCount: 10,
    logLevel: 'silent',
    ...overrides,
  }
}

export interface TestQueue {
  readonly queue: Queue<IngestBatchJob>
  readonly redis: Redis
  /** Enqueues one job per chunk, like the ingest worker (deterministic ids); `readAt` as the worker stamps it. */
  add(events: readonly JobEvent[], partition?: number, readAt?: number): Promise<string>
  /** Resolves when no job waits or runs (no timing assert: tap's timeout bounds it). */
  settled(): Promise<{ completed: number; failed: number }>
  close(): Promise<void>
}

let offset = 0

export async function openQueue(prefix: string): Promise<TestQueue> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  await redis.ping() // fail loudly when Redis is down
  const queue = new Queue<IngestBatchJob>(INGEST_QUEUE_NAME, { connection: { url: REDIS_URL }, prefix })
  return {
    queue,
    redis,
    async add(events, partition = 0, readAt) {
      const source = { topic: 'test', partition, firstOffset: String(offset), lastOffset: String(offset + events.length - 1) }
      const offsets = events.map((_, index) => String(offset + index))
      offset += events.length
      const data = { source, events: [...events], offsets, ...(readAt === undefined ? {} : { readAt }) }
      const jobId = ingestJobId(data, 0)
      await queue.add('batch', data, { jobId, removeOnComplete: false, removeOnFail: false })
      return jobId
    },
    async settled() {
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed')
        if ((counts['waiting'] ?? 0) + (counts['active'] ?? 0) + (counts['delayed'] ?? 0) + (counts['prioritized'] ?? 0) === 0) {
          return { completed: counts['completed'] ?? 0, failed: counts['failed'] ?? 0 }
        }
        await sleep(50)
      }
    },
    async close() {
      await queue.obliterate({ force: true }).catch(() => undefined)
      await queue.close()
      redis.disconnect()
    },
  }
}
