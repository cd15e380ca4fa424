/** What Kafka says about a rebuild: its group's offsets over the topics, and how long the topics keep messages. */
import type { Admin, ConfigResourceTypes } from 'kafkajs'

/** kafkajs's ConfigResourceTypes.TOPIC: its CommonJS build does not let ESM import the enum by name. */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes.TOPIC
import type { PartitionOffsets } from './progress.js'

/** Per partition of `topics`: earliest retained offset, end of log, and `groupId`'s committed offset (-1: none yet). */
export async function readOffsets(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionOffsets[]> {
  const existing = new Set(await admin.listTopics())
  const missing = topics.filter((topic) => !existing.has(topic))
  if (missing.length > 0) throw new Error(`no such topic: ${missing.join(', ')} (check the TOPIC_* variables and KAFKA_BROKERS)`)
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] })
  const offsets: PartitionOffsets[] = []
  for (const topic of topics) {
    const ofTopic = committed.find((entry) => entry.topic === topic)?.partitions ?? []
    for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
      const at = ofTopic.find((entry) => entry.partition === partition)?.offset ?? '-1'
      offsets.push({ topic, partition, low: Number(low), high: Number(high), committed: Number(at) })
    }
  }
  return offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

export interface TopicRetention {
  readonly topic: string
  /** retention.ms; -1 keeps messages forever. */
  readonly retentionMs: number
  /** retention.bytes per partition; -1 is no size limit. */
  readonly retentionBytes: number
}

export async function readRetention(admin: Admin, topics: readonly string[]): Promise<TopicRetention[]> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['retention.ms', 'retention.bytes'] })),
  })
  return described.resources.map((resource) => {
    const value = (name: string): number => Number(resource.configEntries.find((entry) => entry.configName === name)?.configValue ?? '-1')
    return { topic: resource.resourceName, retentionMs: value('retention.ms'), retentionBytes: value('retention.bytes') }
  })
}

/** Sets a group that has committed nothing yet to the first offsets at or after `from` (a rebuild from a given time). */
export async function startGroupAt(admin: Admin, groupId: string, topics: readonly string[], from: Date): Promise<void> {
  for (const topic of topics) {
    const partitions = await admin.fetchTopicOffsetsByTimestamp(topic, from.getTime())
    await admin.setOffsets({ groupId, topic, partitions: partitions.map(({ partition, offset }) => ({ partition, offset })) })
  }
}
