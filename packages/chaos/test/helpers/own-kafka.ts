/** A Kafka broker of a test's own (its ports, its data folder), for faults the shared broker must not see. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@event-analytics/ops/testing'
import type { Kafka } from 'kafkajs'
import { kafkaInstance, type KafkaInstance } from '../../src/infra/kafka.js'

/** Started now, stopped when `t` ends; `name` prefixes its data folder. */
export async function startOwnKafka(
  t: { teardown(fn: () => unknown): void },
  name: string,
  options: { readonly extraProperties?: readonly string[] } = {},
): Promise<KafkaInstance> {
  const kafka = kafkaInstance(await freePort(), await freePort(), mkdtempSync(join(tmpdir(), `${name}-`)), options)
  t.teardown(() => kafka.stop())
  await kafka.start()
  return kafka
}

/** A one-partition topic, its leader elected. */
export async function createTopic(client: Kafka, topic: string): Promise<void> {
  const admin = client.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  } finally {
    await admin.disconnect()
  }
}
