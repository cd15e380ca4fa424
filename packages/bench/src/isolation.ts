/**
 * Per-phase isolation on the shared stack: fresh topics, database, BullMQ prefix and
 * consumer groups, all removed again afterwards (other engineers use the same broker,
 * PostgreSQL and Redis).
 */
import { randomBytes } from 'node:crypto'
import { cacheKeys, keysToInvalidate, type DomainEventKind } from '@event-analytics/contracts'
import { dropDatabase, setupDatabase, withDatabase } from '@event-analytics/db'
import { Redis } from 'ioredis'
import { Kafka, logLevel } from 'kafkajs'
import type { BenchConfig } from './config.js'

/**
 * Where one pipeline run reads and writes: topics, database, BullMQ prefix and consumer groups.
 * A Phase is one; `Phase.lane` makes another on the same topics.
 */
export interface PipelineTarget {
  readonly topics: Record<DomainEventKind, string>
  readonly deadLetterTopic: string
  readonly databaseUrl: string
  readonly prefix: string
  groupId(role: string): string
}

export interface Phase extends PipelineTarget {
  readonly id: string
  readonly kafka: Kafka
  /**
   * A second pipeline over the same topics (the same backlog): its own database, BullMQ prefix
   * and consumer groups, so it reads everything again and counts only its own work. A fresh
   * prefix matters: the job ids are deterministic, and BullMQ ignores an add whose id it knows.
   * Removed with the phase.
   */
  lane(name: string): Promise<PipelineTarget>
  /** Cache keys of these events are deleted at cleanup (the API cache has no per-run prefix). */
  trackEvents(eventIds: readonly string[]): void
  cleanup(): Promise<void>
}

export const PARTITIONS = 3

export async function createPhase(config: BenchConfig, name: string, monthsBack = 1): Promise<Phase> {
  const id = `bench${randomBytes(4).toString('hex')}${name}`
  const topics: Record<DomainEventKind, string> = {
    EventCreated: `${id}.event-created`,
    EventStatusChanged: `${id}.event-status-changed`,
    DistributionCompleted: `${id}.distribution-completed`,
    ParticipantRegistered: `${id}.participant-registered`,
  }
  const deadLetterTopic = `${id}.dlq`
  const allTopics = [...Object.values(topics), deadLetterTopic]
  const databaseUrl = withDatabase(config.DATABASE_URL, `ea_${id}`)
  const kafka = new Kafka({ clientId: id, brokers: [...config.KAFKA_BROKERS], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ waitForLeaders: true, topics: allTopics.map((topic) => ({ topic, numPartitions: PARTITIONS })) })
  await setupDatabase(databaseUrl, { monthsBack, monthsAhead: 1 })
  const events: string[] = []
  const lanes: PipelineTarget[] = []
  return {
    id,
    topics,
    deadLetterTopic,
    databaseUrl,
    prefix: `${id}-bull`,
    kafka,
    groupId: (role) => `${id}-${role}`,
    trackEvents: (eventIds) => void events.push(...eventIds),
    async lane(name) {
      const lane: PipelineTarget = {
        topics,
        deadLetterTopic,
        databaseUrl: withDatabase(config.DATABASE_URL, `ea_${id}_${name}`),
        prefix: `${id}-${name}-bull`,
        groupId: (role) => `${id}-${name}-${role}`,
      }
      lanes.push(lane)
      await setupDatabase(lane.databaseUrl, { monthsBack, monthsAhead: 1 })
      return lane
    },
    async cleanup() {
      await Promise.allSettled([
        ...lanes.flatMap((lane) => [dropDatabase(lane.databaseUrl), cleanRedis(config.REDIS_URL, lane.prefix, [])]),
        admin.deleteTopics({ topics: allTopics }).finally(() => admin.disconnect()),
        dropDatabase(databaseUrl),
        cleanRedis(config.REDIS_URL, `${id}-bull`, events),
        deleteSubjects(config.SCHEMA_REGISTRY_URL, Object.values(topics)),
      ])
    },
  }
}

async function cleanRedis(url: string, prefix: string, eventIds: readonly string[]): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 })
  try {
    // SCAN is fine here: the prefix is this run's own and the bench is not a hot path.
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      if (keys.length > 0) await redis.unlink(...keys)
      cursor = next
    } while (cursor !== '0')
    for (const eventId of eventIds) {
      await redis.unlink(...keysToInvalidate({ eventId, userId: null, channelNames: [] }), cacheKeys.dashboard(eventId))
    }
  } finally {
    redis.disconnect()
  }
}

async function deleteSubjects(registryUrl: string, topics: readonly string[]): Promise<void> {
  for (const topic of topics) {
    const subject = encodeURIComponent(`${topic}-value`)
    // Soft delete first: the registry refuses a permanent delete of a live subject.
    await fetch(`${registryUrl}/subjects/${subject}`, { method: 'DELETE' }).catch(() => undefined)
    await fetch(`${registryUrl}/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => undefined)
  }
}
