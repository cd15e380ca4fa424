/**
 * The deliberately naive baseline, in the seed's style: a kafkajs consumer that enqueues ONE
 * BullMQ job per message, and a BullMQ worker that runs ONE statement per job
 * (packages/db naive-baseline queries). No batching, no folding, no exactly-once claim.
 */
import { createDb, closeDb } from '@event-analytics/db'
import { naiveApplyEventCreated, naiveApplyParticipant } from '@event-analytics/db/bench'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import type { BenchConfig } from '../config.js'
import type { Phase } from '../isolation.js'
import type { Progress } from '../progress.js'
import { drainRate } from '../stats.js'
import { observeDrain } from './common.js'

interface NaiveJob {
  kind: 'EventCreated' | 'ParticipantRegistered'
  eventId: string
  userId?: string
  title?: string
  occurredAt: number
}

const QUEUE = 'naive-ingest'

export async function naiveRate(
  config: BenchConfig,
  phase: Phase,
  registry: SchemaRegistry,
  total: number,
  progress: Progress,
): Promise<number> {
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null })
  const db = createDb(phase.databaseUrl, { poolSize: config.BENCH_NAIVE_CONCURRENCY, applicationName: 'bench-naive' })
  const workerConnection = connection.duplicate()
  const queue = new Queue<NaiveJob>(QUEUE, { connection, prefix: phase.prefix })
  const worker = new Worker<NaiveJob>(
    QUEUE,
    async (job) => {
      const data = job.data
      if (data.kind === 'EventCreated') {
        await naiveApplyEventCreated(db, {
          eventId: data.eventId,
          userId: data.userId ?? '',
          title: data.title ?? '',
          occurredAt: new Date(data.occurredAt),
        })
      } else {
        await naiveApplyParticipant(db, data.eventId)
      }
    },
    { connection: workerConnection, prefix: phase.prefix, concurrency: config.BENCH_NAIVE_CONCURRENCY, removeOnComplete: { count: 0 } },
  )
  const consumer = phase.kafka.consumer({ groupId: phase.groupId('naive') })
  await consumer.connect()
  try {
    const createdTopic = phase.topics.EventCreated
    await consumer.subscribe({ topics: [createdTopic, phase.topics.ParticipantRegistered], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (message.value === null) return
        const record = (await registry.decode(message.value)) as Record<string, unknown>
        const job: NaiveJob = {
          kind: topic === createdTopic ? 'EventCreated' : 'ParticipantRegistered',
          eventId: String(record['eventId']),
          occurredAt: Number(record['occurredAt']),
          ...(topic === createdTopic ? { userId: String(record['userId']), title: String(record['title']) } : {}),
        }
        await queue.add('message', job)
      },
    })
    const observations = await observeDrain(db, total, progress, 'naive', 240_000)
    return drainRate(observations, total)
  } finally {
    await consumer.disconnect()
    await worker.close()
    await queue.close()
    await closeDb(db)
    connection.disconnect()
    workerConnection.disconnect()
  }
}
