/**
 * The hand-over ledger: per Kafka partition, the batches this worker consumed and enqueued
 * whose offsets are not committed yet. Pure bookkeeping; the committer does the I/O.
 *
 * Invariants (Redis is disposable, Kafka stays the source of truth):
 * - A partition is committed only up to the end of its longest prefix of batches whose jobs
 *   are all settled in PostgreSQL. Until then the message's only durable copy is Kafka, so a
 *   job Redis loses is read again from there (`rewind`), and a worker that restarts or loses
 *   the partition in a rebalance replays exactly the unsettled window.
 * - A batch's dead letters (decode/validation failures, and APPLY_FAILED for what PostgreSQL
 *   refused) travel in the same Kafka transaction as the commit past them: every message is
 *   dead-lettered once, even when its batch is read several times.
 * - Each partition has a generation, bumped by `rewind` and `clear`: a batch planned under an
 *   older generation (in flight while its partition was rewound) is refused by `add`, and a
 *   commit planned under one is not released after it.
 */
import { WHOLE_JOB_OFFSET, type ApplyFailure } from '@event-analytics/db'
import type { KafkaMessage, Message } from 'kafkajs'
import { deadLetterOf } from './dead-letter.js'

export interface PendingJob {
  readonly id: string
  /** Offsets of the job's messages, in job order. */
  readonly offsets: readonly string[]
}

export interface PendingBatch {
  readonly firstOffset: string
  readonly lastOffset: string
  readonly jobs: readonly PendingJob[]
  readonly deadLetters: readonly Message[]
  /** The batch as consumed: the original bytes an APPLY_FAILED dead letter carries. */
  readonly messages: readonly KafkaMessage[]
  /** When the batch was handed on (ms since epoch): the age of the oldest unsettled message. */
  readonly handedOnAt: number
}

export interface PartitionCommit {
  readonly topic: string
  readonly partition: number
  /** The offset to commit: one past the last settled batch. */
  readonly offset: string
  /** Sorted by source offset. */
  readonly deadLetters: readonly Message[]
  readonly batches: number
  readonly messages: number
  readonly generation: number
}

export interface PartitionHead {
  readonly topic: string
  readonly partition: number
  /** Jobs of the first batch not yet settled: the ones holding the partition's commit back. */
  readonly jobIds: readonly string[]
}

interface PartitionState {
  readonly topic: string
  readonly partition: number
  generation: number
  batches: PendingBatch[]
  /** Set by `rewind` until the batch read from that offset arrives. */
  rewoundTo?: bigint
}

export type Settlements = ReadonlyMap<string, readonly ApplyFailure[]>

export class HandOverLedger {
  private readonly partitions = new Map<string, PartitionState>()
  private messageCount = 0

  generation(topic: string, partition: number): number {
    return this.state(topic, partition).generation
  }

  /**
   * Appends a handed-on batch; false when its partition was rewound since `generation`, or when
   * it was fetched before the rewind's seek took effect: kafkajs may still deliver a batch it
   * had prefetched from the old position, and accepted it would let a later commit jump past
   * the re-read window (its dead letters then counted as sent). After a rewind to offset F, the
   * first batch kafkajs reads starts exactly at F (F is a data message this worker read before).
   */
  add(topic: string, partition: number, generation: number, batch: PendingBatch): boolean {
    const state = this.state(topic, partition)
    if (state.generation !== generation) return false
    if (state.rewoundTo !== undefined) {
      if (BigInt(batch.firstOffset) !== state.rewoundTo) return false
      delete state.rewoundTo
    }
    state.batches.push(batch)
    this.messageCount += batch.messages.length
    return true
  }

  /** Messages consumed and not yet committed (what a restart would read again). */
  get pendingMessages(): number {
    return this.messageCount
  }

  pendingJobIds(): string[] {
    return [...this.partitions.values()].flatMap((state) => state.batches.flatMap((batch) => batch.jobs.map((job) => job.id)))
  }

  oldestHandedOnAt(): number | undefined {
    const heads = [...this.partitions.values()].map((state) => state.batches[0]?.handedOnAt).filter((at) => at !== undefined)
    return heads.length === 0 ? undefined : Math.min(...heads)
  }

  heads(settled: Settlements): PartitionHead[] {
    const heads: PartitionHead[] = []
    for (const state of this.partitions.values()) {
      const head = state.batches.find((batch) => batch.jobs.some((job) => !settled.has(job.id)))
      if (head === undefined) continue
      heads.push({
        topic: state.topic,
        partition: state.partition,
        jobIds: head.jobs.filter((job) => !settled.has(job.id)).map((job) => job.id),
      })
    }
    return heads
  }

  /** What may be committed now, given the settled jobs; changes nothing until `release`. */
  plan(settled: Settlements, failedAt: Date): PartitionCommit[] {
    const commits: PartitionCommit[] = []
    for (const state of this.partitions.values()) {
      const done: PendingBatch[] = []
      for (const batch of state.batches) {
        if (!batch.jobs.every((job) => settled.has(job.id))) break
        done.push(batch)
      }
      const last = done[done.length - 1]
      if (last === undefined) continue
      const deadLetters = done
        .flatMap((batch) => [...batch.deadLetters, ...refusedMessageLetters(state, batch, settled, failedAt)])
        .sort((a, b) => compareOffsets(sourceOffset(a), sourceOffset(b)))
      commits.push({
        topic: state.topic,
        partition: state.partition,
        offset: (BigInt(last.lastOffset) + 1n).toString(),
        deadLetters,
        batches: done.length,
        messages: done.reduce((sum, batch) => sum + batch.messages.length, 0),
        generation: state.generation,
      })
    }
    return commits
  }

  /** Forgets the batches a commit covered, unless the partition was rewound meanwhile. */
  release(commit: PartitionCommit): void {
    const state = this.state(commit.topic, commit.partition)
    if (state.generation !== commit.generation) return
    const released = state.batches.splice(0, commit.batches)
    this.messageCount -= released.reduce((sum, batch) => sum + batch.messages.length, 0)
  }

  /** Forgets the partition's window and returns where to read it again from (undefined: nothing pending). */
  rewind(topic: string, partition: number): string | undefined {
    const state = this.state(topic, partition)
    const from = state.batches[0]?.firstOffset
    this.messageCount -= state.batches.reduce((sum, batch) => sum + batch.messages.length, 0)
    state.batches = []
    state.generation += 1
    if (from !== undefined) state.rewoundTo = BigInt(from)
    return from
  }

  /** A rebalance: kafkajs reads every assigned partition again from its committed offset. */
  clear(): void {
    for (const state of this.partitions.values()) {
      state.batches = []
      state.generation += 1
      delete state.rewoundTo
    }
    this.messageCount = 0
  }

  private state(topic: string, partition: number): PartitionState {
    const key = `${topic}\u0000${partition}`
    let state = this.partitions.get(key)
    if (state === undefined) {
      state = { topic, partition, generation: 0, batches: [] }
      this.partitions.set(key, state)
    }
    return state
  }
}

/** Dead letters at or above `floor` (the group's committed offset): those below were sent with an earlier commit. */
export function deadLettersFrom(letters: readonly Message[], floor: bigint): Message[] {
  return letters.filter((letter) => BigInt(sourceOffset(letter)) >= floor)
}

function refusedMessageLetters(state: PartitionState, batch: PendingBatch, settled: Settlements, failedAt: Date): Message[] {
  const letters: Message[] = []
  for (const job of batch.jobs) {
    for (const failure of settled.get(job.id) ?? []) {
      const offsets = failure.offset === WHOLE_JOB_OFFSET ? job.offsets : [failure.offset]
      for (const offset of offsets) {
        const message = batch.messages.find((candidate) => candidate.offset === offset)
        if (message === undefined) continue // not this batch's: cannot happen for a job planned from it
        letters.push(deadLetterOf(state, message, { code: 'APPLY_FAILED', message: failure.reason }, failedAt))
      }
    }
  }
  return letters
}

function sourceOffset(letter: Message): string {
  return String(letter.headers?.['x-source-offset'])
}

function compareOffsets(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b)
  return difference < 0n ? -1 : difference > 0n ? 1 : 0
}
