/** The ceiling: a plain kafkajs consumer decoding every message through the registry, nothing else. */
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { Kafka } from 'kafkajs'
import type { Progress } from '../progress.js'

import { drainRate, type Observation } from '../stats.js'

export async function rawConsumeRate(
  kafka: Kafka,
  topics: readonly string[],
  groupId: string,
  registry: SchemaRegistry,
  total: number,
  progress: Progress,
): Promise<number> {
  const consumer = kafka.consumer({ groupId })
  const started = performance.now()
  const observations: Observation[] = []
  let decoded = 0
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true })
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        for (const message of batch.messages) {
          if (message.value !== null) await registry.decode(message.value)
          decoded += 1
          resolveOffset(message.offset)
        }
        observations.push({ atMs: performance.now() - started, done: decoded })
        await heartbeat()
      },
    })
    const deadline = Date.now() + 180_000
    while (decoded < total && Date.now() < deadline) {
      progress.update(`raw consume: ${decoded}/${total} decoded`)
      await sleep(100)
    }
    if (decoded < total) throw new Error(`raw consume: only ${decoded}/${total} decoded`)
  } finally {
    await consumer.disconnect()
  }
  // Count the first batch as start-up, as the pipelines' first visible progress is.
  return drainRate([{ atMs: 0, done: 0 }, ...observations], total)
}
