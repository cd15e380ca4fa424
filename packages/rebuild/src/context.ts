/** What the one-shot commands (status, compare, switch, list, drop, env) share: the database, Kafka's admin, the cache. */
import { loadAggregatorConfig } from '@event-analytics/aggregator'
import { DEFAULT_CHANGES_CHANNEL } from '@event-analytics/contracts'
import { closeDb, createDb, type Database } from '@event-analytics/db'
import { loadIngestConfig, topicKinds } from '@event-analytics/ingest-worker'
import { createRedisClient, type RedisClient } from '@event-analytics/ops'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import type { Kysely } from 'kysely'
import { loadRebuildConfig, type RebuildConfig } from './config.js'
import type { LiveNames } from './naming.js'

export interface ToolContext {
  readonly db: Kysely<Database>
  readonly databaseUrl: string
  readonly admin: Admin
  readonly live: LiveNames
  readonly topics: readonly string[]
  readonly config: RebuildConfig
  readonly changesChannel: string
  /** Connected on first use. */
  cache(): RedisClient
  close(): Promise<void>
}

export async function openContext(source: NodeJS.ProcessEnv = process.env): Promise<ToolContext> {
  const config = loadRebuildConfig(source)
  const ingest = loadIngestConfig(source)
  const aggregator = loadAggregatorConfig(source)
  const db = createDb(ingest.DATABASE_URL, { poolSize: 2, applicationName: 'rebuild-tool' })
  const admin = new Kafka({ clientId: 'rebuild-tool', brokers: ingest.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  let cache: RedisClient | undefined
  return {
    db,
    databaseUrl: ingest.DATABASE_URL,
    admin,
    config,
    live: {
      groupId: ingest.KAFKA_GROUP_ID,
      queuePrefix: ingest.BULLMQ_PREFIX,
      deadLetterTopic: ingest.TOPIC_DEAD_LETTER,
      transactionalId: ingest.KAFKA_TRANSACTIONAL_ID,
    },
    topics: [...topicKinds(ingest).keys()],
    changesChannel: aggregator.changesChannel ?? DEFAULT_CHANGES_CHANNEL,
    cache() {
      cache ??= createRedisClient(
        { url: aggregator.cacheRedisUrl, clusterNodes: aggregator.cacheRedisClusterNodes },
        { maxRetriesPerRequest: 3 },
      )
      return cache
    },
    async close() {
      cache?.disconnect()
      await admin.disconnect()
      await closeDb(db)
    },
  }
}
