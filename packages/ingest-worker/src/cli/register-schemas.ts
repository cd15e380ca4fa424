/** Registers the project's Avro schemas under TopicNameStrategy subjects (`<topic>-value`). */
import { readerSchema, valueSubject } from '@event-analytics/contracts'
import { createLogger } from '@event-analytics/ops'
import { SchemaType } from '@kafkajs/confluent-schema-registry'
import { loadIngestConfig } from '../config.js'
import { createSchemaRegistry } from '../decode/avro-decoder.js'
import { topicKinds } from '../worker.js'

const config = loadIngestConfig()
const logger = createLogger('register-schemas', config.LOG_LEVEL ?? 'info')
const registry = createSchemaRegistry(config.SCHEMA_REGISTRY_URL)

for (const [topic, kind] of topicKinds(config)) {
  const subject = valueSubject(topic)
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(readerSchema(kind)) }, { subject })
  logger.info({ subject, id }, 'schema registered')
}
