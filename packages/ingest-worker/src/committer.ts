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
import type { Logger } from '@event-analytics/ops'
import { readSettledJobs, type Database } from '@event-analytics/db'
import type { Admin, Consumer, Producer } from 'kafkajs'
import type { Kysely } from 'kysely'
import { deadLettersFrom, type HandOverLedger, type PartitionCommit, type Settlements } from './ledger.js'
import type { IngestMetrics } from './metrics.js'
import type { IngestQueue } from './queue.js'
import { retryConcurrentTransactions } from './transaction-retry.js'

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
  readonly producer: Producer
  readonly admin: Admin
  readonly consumer: Consumer
  readonly groupId: string
  readonly deadLetterTopic: string
  readonly metrics: IngestMetrics
  readonly logger: Logger
}

export interface Committer {
  /** Starts the passes. */
  run(): void
  /** Stops the passes, then makes one last pass (what is settled gets committed). */
  close(): Promise<void>
  /** While true (a rebalance is under way) passes commit nothing. */
  pause(paused: boolean): void
  /** One pass now; for tests. */
  pass(): Promise<void>
}

export function createCommitter(deps: CommitterDeps, options: CommitterOptions): Committer {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  let closed = false
  let paused = false
  let lastLostJobCheck = 0

  const pass = (): Promise<void> => {
    running = running
      .then(() => onePass())
      .catch((error: unknown) => {
        deps.metrics.commitFailures.inc()
        deps.logger.warn({ err: error }, 'offset commit pass failed; retrying on the next pass')
      })
    return running
  }

  async function onePass(): Promise<void> {
    // Batches of dead letters only have no job, yet must be committed: test the messages, not the jobs.
    if (paused || deps.ledger.pendingMessages === 0) return
    const settled = await readSettledJobs(deps.db, deps.ledger.pendingJobIds())
    const commits = deps.ledger.plan(settled, new Date())
    if (commits.length > 0) await commit(commits)
    if (Date.now() - lastLostJobCheck >= options.lostJobCheckMs) {
      lastLostJobCheck = Date.now()
      await rewindLostJobs(settled)
    }
  }

  async function commit(commits: readonly PartitionCommit[]): Promise<void> {
    const floors = await committedOffsets(deps.admin, deps.groupId, [...new Set(commits.map((c) => c.topic))])
    const transaction = await deps.producer.transaction()
    const sent: { commit: PartitionCommit; letters: number }[] = []
    try {
      const offsets = new Map<string, { partition: number; offset: string }[]>()
      for (const entry of commits) {
        const floor = floors.get(key(entry.topic, entry.partition)) ?? -1n
        const letters = deadLettersFrom(entry.deadLetters, floor)
        if (letters.length > 0) await transaction.send({ topic: deps.deadLetterTopic, messages: letters })
        if (BigInt(entry.offset) > floor)
          offsets.set(entry.topic, [...(offsets.get(entry.topic) ?? []), { partition: entry.partition, offset: entry.offset }])
        sent.push({ commit: entry, letters: letters.length })
      }
      if (offsets.size > 0) {
        const topics = [...offsets].map(([topic, partitions]) => ({ topic, partitions }))
        await retryConcurrentTransactions(
          () => transaction.sendOffsets({ consumerGroupId: deps.groupId, topics }),
          () => deps.metrics.transactionRetries.inc(),
        )
      }
      await transaction.commit()
    } catch (error) {
      await transaction.abort().catch((abortError: unknown) => deps.logger.warn({ err: abortError }, 'transaction abort failed'))
      throw error
    }
    for (const { commit: entry, letters } of sent) {
      deps.ledger.release(entry)
      deps.metrics.committed.inc({ topic: entry.topic }, entry.messages)
      recordDeadLetters(deps, entry, letters)
    }
  }

  async function rewindLostJobs(settled: Settlements): Promise<void> {
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

  return {
    run() {
      if (timer !== undefined || closed) return
      timer = setInterval(() => void pass(), options.intervalMs)
    },
    async close() {
      if (closed) return running
      closed = true
      clearInterval(timer)
      await pass()
    },
    pause(value) {
      paused = value
    },
    pass,
  }
}

function recordDeadLetters(deps: CommitterDeps, commit: PartitionCommit, sent: number): void {
  const skipped = commit.deadLetters.length - sent
  for (const letter of commit.deadLetters.slice(skipped)) {
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
    for (const { partition, offset } of partitions) offsets.set(key(topic, partition), BigInt(offset))
  }
  return offsets
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
