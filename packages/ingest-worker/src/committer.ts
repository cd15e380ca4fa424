/**
 * Moves each partition's committed offset forward as PostgreSQL settles its jobs, and reads a
 * partition again when Redis lost a job of it. One pass every `intervalMs`, plus one at stop.
 *
 * A pass: read which pending jobs are settled (PostgreSQL) -> plan the commits (ledger) ->
 * one Kafka transaction with their dead letters and offsets -> release them from the ledger.
 * The dead letters below the group's committed offset are dropped first: another worker
 * (before a rebalance) already sent them with its commit, so each goes out once.
 *
 * Lost jobs: a job that is in neither Redis nor `settled_jobs` was lost by Redis (restarted
 * empty, flushed, failed over, evicted). Redis is asked first and PostgreSQL second, so a job
 * settled and then removed in between is never mistaken for lost: settlement happens before
 * the aggregator completes (and so before BullMQ may remove) the job.
 */
import { runEvery, type Logger, type Periodic } from '@event-analytics/ops'
import { readSettledJobs, recordCommittedOffsets, type Database, type PartitionOffset } from '@event-analytics/db'
import type { Admin, Consumer, Message } from 'kafkajs'
import type { Kysely } from 'kysely'
import { deadLettersFrom, type HandOverLedger, type PartitionCommit, type Settlements } from './ledger.js'
import type { IngestMetrics } from './metrics.js'
import type { IngestQueue } from './queue.js'
import { isProducerUnknownToCluster, isTransactionStateStuck, retryConcurrentTransactions } from './transaction-retry.js'
import type { TransactionalProducer } from './transactional-producer.js'
import { VanishedOffsets } from './vanished-offsets.js'

export interface CommitterOptions {
  /** Pause between passes. */
  readonly intervalMs: number
  /** How often the unsettled head of each partition is looked for in Redis. */
  readonly lostJobCheckMs: number
}

export interface CommitterDeps {
  readonly ledger: HandOverLedger
  readonly db: Kysely<Database>
  readonly queue: IngestQueue
  readonly producer: TransactionalProducer
  readonly admin: Admin
  readonly consumer: Consumer
  readonly groupId: string
  readonly deadLetterTopic: string
  /**
   * Headers added to every dead letter: a rebuild's worker marks its letters with its projection
   * set (`x-projection-set`), so a consumer of the letters can tell them from the live pipeline's.
   */
  readonly deadLetterHeaders?: Readonly<Record<string, string>>
  readonly metrics: IngestMetrics
  readonly logger: Logger
}

export interface Committer {
  /** Starts the passes: one every `intervalMs`, a tick skipped while the last pass is still going. */
  run(): void
  /** Stops the passes, then makes one last pass (what is settled gets committed). */
  close(): Promise<void>
  /** While true (a rebalance is under way) passes commit nothing. */
  pause(paused: boolean): void
  /** One pass now; for tests. */
  pass(): Promise<void>
}

export function createCommitter(deps: CommitterDeps, options: CommitterOptions): Committer {
  let loop: Periodic | undefined
  let running: Promise<void> = Promise.resolve()
  let closed = false
  let paused = false
  let lastLostJobCheck = 0
  let producerNeedsInit = false
  const vanishedOffsets = new VanishedOffsets()

  const pass = (): Promise<void> => {
    running = running
      .then(() => onePass())
      .catch(async (error: unknown) => {
        deps.metrics.commitFailures.inc()
        deps.logger.warn({ err: error }, 'offset commit pass failed; retrying on the next pass')
        if (isProducerUnknownToCluster(error)) {
          deps.logger.warn('the Kafka cluster does not know the transactional producer (a fresh or restored Kafka): initialising it again')
          producerNeedsInit = true
        } else if (isTransactionStateStuck(error)) {
          deps.logger.warn('the transactional producer is stuck in an ended transaction: initialising it again')
          producerNeedsInit = true
        }
      })
    return running
  }

  async function onePass(): Promise<void> {
    if (producerNeedsInit) {
      // A new Kafka under the worker: a new producer, initialised against it (a failure leaves the flag for the next pass).
      await deps.producer.renew()
      producerNeedsInit = false
    }
    if (paused) return
    if (deps.ledger.pendingMessages === 0) {
      // Nothing to commit, but a partition may sit at an old position of a recreated topic.
      if (Date.now() - lastLostJobCheck >= options.lostJobCheckMs) {
        lastLostJobCheck = Date.now()
        await restartVanishedPartitions()
      }
      return
    }
    // Batches of dead letters only have no job, yet must be committed: test the messages, not the jobs.
    const settled = await readSettledJobs(deps.db, deps.ledger.pendingJobIds())
    const commits = deps.ledger.plan(settled, new Date())
    if (commits.length > 0) await commit(commits)
    if (Date.now() - lastLostJobCheck >= options.lostJobCheckMs) {
      lastLostJobCheck = Date.now()
      await rewindLostJobs(settled)
      await restartVanishedPartitions()
    }
  }

  const marked = (letters: readonly Message[]): Message[] =>
    deps.deadLetterHeaders === undefined
      ? [...letters]
      : letters.map((letter) => ({ ...letter, headers: { ...letter.headers, ...deps.deadLetterHeaders } }))

  async function commit(commits: readonly PartitionCommit[]): Promise<void> {
    const floors = await committedOffsets(deps.admin, deps.groupId, [...new Set(commits.map((c) => c.topic))])
    const transaction = await deps.producer.transaction()
    const sent: { commit: PartitionCommit; letters: readonly Message[] }[] = []
    const offsets: PartitionOffset[] = []
    try {
      for (const entry of commits) {
        const floor = floors.get(partitionKey(entry.topic, entry.partition)) ?? -1n
        const letters = [...entry.formerDeadLetters, ...deadLettersFrom(entry.deadLetters, floor)]
        if (letters.length > 0) await transaction.send({ topic: deps.deadLetterTopic, messages: marked(letters) })
        if (entry.offset !== undefined && BigInt(entry.offset) > floor) {
          offsets.push({ topic: entry.topic, partition: entry.partition, offset: entry.offset })
        }
        sent.push({ commit: entry, letters })
      }
      if (offsets.length > 0) {
        const topics = [...new Set(offsets.map((o) => o.topic))].map((topic) => ({
          topic,
          partitions: offsets.filter((o) => o.topic === topic).map(({ partition, offset }) => ({ partition, offset })),
        }))
        await retryConcurrentTransactions(
          () => transaction.sendOffsets({ consumerGroupId: deps.groupId, topics }),
          () => deps.metrics.transactionRetries.inc(),
        )
      }
      await transaction.commit()
    } catch (error) {
      await transaction.abort().catch((abortError: unknown) => {
        // Neither committed nor aborted (a commit that failed ends the transaction for kafkajs, which
        // then refuses both the abort and every later transaction): only a new producer, whose
        // initialisation makes the coordinator finish or abort the open transaction, goes on.
        deps.logger.warn({ err: abortError }, 'transaction abort failed; the producer will be initialised again')
        producerNeedsInit = true
      })
      throw error
    }
    for (const { commit: entry, letters } of sent) {
      deps.ledger.release(entry)
      deps.metrics.committed.inc({ topic: entry.topic }, entry.messages)
      recordDeadLetters(deps, entry, letters)
    }
    // Only a detector of offsets going backwards (see partition_progress): a failure costs a log line.
    await recordCommittedOffsets(deps.db, deps.groupId, offsets).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'could not record the committed offsets in PostgreSQL'),
    )
  }

  async function rewindLostJobs(settled: Settlements): Promise<void> {
    await abandonLostFormerBatches(settled)
    const heads = deps.ledger.heads(settled)
    if (heads.length === 0) return
    const missing = new Set(await deps.queue.missingJobs(heads.flatMap((head) => head.jobIds)))
    if (missing.size === 0) return
    const settledNow = await readSettledJobs(deps.db, [...missing])
    for (const head of heads) {
      const lost = head.jobIds.filter((id) => missing.has(id) && !settledNow.has(id))
      if (lost.length === 0) continue
      const from = deps.ledger.rewind(head.topic, head.partition)
      if (from === undefined) continue
      deps.metrics.rewinds.inc({ topic: head.topic })
      deps.logger.warn(
        { topic: head.topic, partition: head.partition, from, lostJobs: lost.length },
        'jobs lost from Redis before PostgreSQL had them; reading the partition again from Kafka',
      )
      deps.consumer.seek({ topic: head.topic, partition: head.partition, offset: from })
    }
  }

  /**
   * Kafka has no committed offset for a partition this worker committed (or learnt) one for, at
   * two checks in a row: the topic was deleted and created again. Read the new incarnation from
   * its low watermark.
   */
  async function restartVanishedPartitions(): Promise<void> {
    const known = deps.ledger.knownCommittedOffsets().filter((entry) => entry.offset > 0n)
    if (known.length === 0) return
    const inKafka = await committedOffsets(deps.admin, deps.groupId, [...new Set(known.map((entry) => entry.topic))])
    for (const { topic, partition, offset } of vanishedOffsets.check(known, (t, p) => inKafka.get(partitionKey(t, p)))) {
      const low = (await deps.admin.fetchTopicOffsets(topic)).find((entry) => entry.partition === partition)?.low ?? '0'
      deps.ledger.restartIncarnation(topic, partition, BigInt(low))
      deps.metrics.offsetRegressions.inc({ topic })
      deps.logger.warn(
        { topic, partition, committedHere: offset.toString(), from: low },
        "the group's committed offset of this partition vanished (its topic was deleted and created again): reading the new incarnation from its start",
      )
      deps.consumer.seek({ topic, partition, offset: low })
    }
  }

  /** A former batch's job that Redis lost cannot be read again: its incarnation is gone. Say so, by offset. */
  async function abandonLostFormerBatches(settled: Settlements): Promise<void> {
    const unsettled = deps.ledger.formerJobIds(settled)
    if (unsettled.length === 0) return
    const missing = await deps.queue.missingJobs(unsettled)
    if (missing.length === 0) return
    const settledNow = await readSettledJobs(deps.db, missing)
    const present = new Set(unsettled.filter((id) => !missing.includes(id)))
    for (const { topic, partition, batch } of deps.ledger.abandonLostFormer(new Map([...settled, ...settledNow]), present)) {
      deps.metrics.formerBatchesLost.inc({ topic })
      deps.logger.error(
        { topic, partition, firstOffset: batch.firstOffset, lastOffset: batch.lastOffset },
        'Redis lost jobs of a partition incarnation that no longer exists in Kafka: these offsets were neither applied nor dead-lettered',
      )
    }
  }

  return {
    run() {
      if (loop !== undefined || closed) return
      // pass() reports its own failures and never rejects.
      loop = runEvery(pass, { intervalMs: options.intervalMs, onError: () => undefined })
    },
    async close() {
      if (closed) return running
      closed = true
      await loop?.stop()
      await pass()
    },
    pause(value) {
      paused = value
    },
    pass,
  }
}

function recordDeadLetters(deps: CommitterDeps, commit: PartitionCommit, sent: readonly Message[]): void {
  for (const letter of sent) {
    const code = String(letter.headers?.['x-error-code'])
    deps.metrics.deadLettered.inc({ topic: commit.topic, code })
    deps.logger.warn(
      {
        topic: commit.topic,
        partition: commit.partition,
        offset: String(letter.headers?.['x-source-offset']),
        code,
        reason: String(letter.headers?.['x-error-message']),
      },
      'dead-lettered',
    )
  }
}

/** The group's committed offset per partition (`topic\0partition`); -1 when none. */
export async function committedOffsets(admin: Admin, groupId: string, topics: readonly string[]): Promise<Map<string, bigint>> {
  const offsets = new Map<string, bigint>()
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
    for (const { partition, offset } of partitions) offsets.set(partitionKey(topic, partition), BigInt(offset))
  }
  return offsets
}

/** The key of `committedOffsets`' map. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
