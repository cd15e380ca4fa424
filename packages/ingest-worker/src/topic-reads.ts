/**
 * Reading a topic to a known end, for the audit and for tests: a throwaway group that commits
 * nothing and is deleted afterwards. What "the end" is when other processes still write: the
 * high watermarks seen at the start; whoever needs a writer's last message first waits until the
 * writer is done (`committedThroughEnd` for the ingest worker, whose dead letters are committed in
 * the transaction that commits their source offsets).
 */
import { randomUUID } from 'node:crypto'
import type { Admin, Kafka, KafkaMessage } from 'kafkajs'
import { retry } from '@event-analytics/ops'
import { committedOffsets, partitionKey } from './committer.js'

/** kafkajs marks its errors `retriable` (its classes are not reachable as named ESM imports). */
export function isRetriableKafkaError(error: unknown): boolean {
  return error instanceof Error && 'retriable' in error && error.retriable === true
}

/** The reader's consumer stopped for good (kafkajs will not restart it), e.g. its group coordinator was not found in time. */
class ReaderStopped extends Error {
  constructor(topic: string, cause: unknown) {
    super(`reading ${topic}: the reader's consumer stopped: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'ReaderStopped'
  }
}

/**
 * Both readers only read, so a retriable answer (a topic created a moment ago whose leader is not
 * elected yet, a leader moving, a restarted broker still creating its offsets topic) starts the
 * read again, up to five times in all.
 */
const readRetry = { shouldRetry: (error: unknown) => isRetriableKafkaError(error) || error instanceof ReaderStopped } as const

/** A reader whose group has not joined by then (kafkajs restarting it over and over) fails instead of waiting on. */
const JOIN_TIMEOUT_MS = 30_000

/**
 * Every committed message of `topic` (read_committed) up to the high watermarks seen at the
 * start, per partition. A partition also counts as read after `idleMs` without a new message:
 * a transaction marker can be its last offset, and no message reaches the mark then.
 */
export function readTopicToEnd(kafka: Kafka, topic: string, idleMs = 3000): Promise<Map<number, KafkaMessage[]>> {
  return retry(() => readTopicToEndOnce(kafka, topic, idleMs), readRetry)
}

async function readTopicToEndOnce(kafka: Kafka, topic: string, idleMs: number): Promise<Map<number, KafkaMessage[]>> {
  const admin = kafka.admin()
  await admin.connect()
  const groupId = `topic-reader-${randomUUID()}`
  const read = new Map<number, KafkaMessage[]>()
  try {
    const ends = await admin.fetchTopicOffsets(topic).catch((error: unknown) => {
      // A topic no one has created yet holds nothing.
      if (error instanceof Error && 'type' in error && error.type === 'UNKNOWN_TOPIC_OR_PARTITION') return []
      throw error
    })
    const remaining = new Map(ends.filter((end) => BigInt(end.high) > BigInt(end.low)).map((end) => [end.partition, BigInt(end.high)]))
    for (const end of ends) read.set(end.partition, [])
    if (remaining.size === 0) return read
    const consumer = kafka.consumer({ groupId, readUncommitted: false })
    await consumer.connect()
    try {
      // Idle time counts from the group join on: joining alone can take seconds.
      let lastProgress = Number.POSITIVE_INFINITY
      consumer.on(consumer.events.GROUP_JOIN, () => (lastProgress = Date.now()))
      let finish: () => void = () => undefined
      let fail: (error: unknown) => void = () => undefined
      const done = new Promise<void>((resolve, reject) => {
        finish = resolve
        fail = reject
      })
      done.catch(() => undefined) // rejected before it is awaited below: reported there
      // A crash kafkajs does not restart from (a join that ran out of retries, say) ends this
      // attempt, and the retry above starts another; nothing else would ever end the wait below.
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) fail(new ReaderStopped(topic, event.payload.error))
      })
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const high = remaining.get(batch.partition)
          if (high === undefined) return
          const kept = batch.messages.filter((message) => BigInt(message.offset) < high)
          read.get(batch.partition)?.push(...kept)
          if (kept.length > 0) lastProgress = Date.now()
          if (BigInt(batch.lastOffset()) + 1n >= high) remaining.delete(batch.partition)
          if (remaining.size === 0) finish()
        },
      })
      const startedAt = Date.now()
      const idle = setInterval(
        () => {
          if (Date.now() - lastProgress >= idleMs) finish()
          else if (lastProgress === Number.POSITIVE_INFINITY && Date.now() - startedAt >= JOIN_TIMEOUT_MS) {
            fail(new ReaderStopped(topic, `its group did not join within ${JOIN_TIMEOUT_MS / 1000} s`))
          }
        },
        Math.min(idleMs, 250),
      )
      try {
        await done
      } finally {
        clearInterval(idle)
      }
    } finally {
      await consumer.disconnect()
    }
    await admin.deleteGroups([groupId]).catch(() => undefined)
    return read
  } finally {
    await admin.disconnect()
  }
}

/**
 * True when `groupId` has committed every partition of `topics` through its high watermark
 * (an empty partition, or a topic not created yet, counts as committed). Inputs written without transactions: their high
 * watermark is their last offset + 1, exactly the offset a consumer commits after it.
 */
export function committedThroughEnd(admin: Admin, groupId: string, topics: readonly string[]): Promise<boolean> {
  return retry(() => committedThroughEndOnce(admin, groupId, topics), readRetry)
}

async function committedThroughEndOnce(admin: Admin, groupId: string, topics: readonly string[]): Promise<boolean> {
  const existing = new Set(await admin.listTopics())
  const written = topics.filter((topic) => existing.has(topic))
  const committed = await committedOffsets(admin, groupId, written)
  for (const topic of written) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) === BigInt(low)) continue
      if ((committed.get(partitionKey(topic, partition)) ?? -1n) < BigInt(high)) return false
    }
  }
  return true
}
