/**
 * `pnpm audit:topics`: for every source topic and partition, what Kafka holds against what
 * PostgreSQL applied or the dead-letter topic holds; names every message found in neither place
 * (or in both). Exit 0 when each message is in exactly one place (or still in flight), 1 when not.
 * Reads the ingest worker's own environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL,
 * KAFKA_GROUP_ID, TOPIC_*, PROJECTION_SET): a rebuild's set is audited with the variables
 * `pnpm run rebuild env <set>` prints.
 */
import { closeDb, createDb } from '@event-analytics/db'
import { Kafka, logLevel } from 'kafkajs'
import { auditTopics } from '../audit/audit-topics.js'
import { auditPassed, formatAudit } from '../audit/reconcile.js'
import { loadIngestConfig } from '../config.js'
import { createSchemaRegistry } from '../decode/avro-decoder.js'
import { topicKinds } from '../worker.js'

const config = loadIngestConfig()
const kafka = new Kafka({ clientId: 'topic-audit', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING })
const db = createDb(config.DATABASE_URL, { applicationName: 'topic-audit', poolSize: 1, projectionSet: config.PROJECTION_SET })
try {
  const audits = await auditTopics({
    kafka,
    registry: createSchemaRegistry(config.SCHEMA_REGISTRY_URL),
    db,
    groupId: config.KAFKA_GROUP_ID,
    topics: topicKinds(config),
    deadLetterTopic: config.TOPIC_DEAD_LETTER,
  })
  process.stdout.write(`${formatAudit(audits)}\n`)
  const passed = auditPassed(audits)
  process.stdout.write(passed ? 'every message is in exactly one place (or still in flight)\n' : 'AUDIT FAILED: see the lines above\n')
  process.exitCode = passed ? 0 : 1
} finally {
  await closeDb(db)
}
