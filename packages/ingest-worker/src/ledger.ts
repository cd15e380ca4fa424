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
 * - Each partition has a generation, bumped by `rewind`, `clear` and a new incarnation: a batch
 *   planned under an older generation (in flight while its partition was rewound) is refused by
 *   `add`, and a commit planned under one is not released after it.
 * - Offsets name a message only within one incarnation of a partition. A batch that starts below
 *   the partition's committed offset, or inside its pending window, while no rewind is awaited,
 *   comes from a new incarnation (a fresh cluster, a recreated topic, an offset reset): `add`
 *   reports the regression, and the pending window becomes the partition's *former* batches. Their
 *   offsets can never be read or committed again, but their jobs still settle (job ids carry a
 *   digest of their messages, so nothing of the new incarnation is taken for them), and their dead
 *   letters then go out once, with no offset and no floor.
 * - What is held is bounded twice, by messages and by bytes (`pendingMessages`, `pendingBytes`):
 *   a batch keeps copies of the key, value and headers of the messages its jobs carry, the only
 *   ones PostgreSQL may still refuse (APPLY_FAILED, sent from here), and its decode/validation
 *   dead letters; never the consumed kafkajs messages, which keep whole fetch responses alive.
 */
import { WHOLE_JOB_OFFSET, type ApplyFailure } from '@event-analytics/db'
import type { Message } from 'kafkajs'
import { deadLetterOf, retainedBytes } from './dead-letter.js'
import type { RetainedMessages } from './retained-messages.js'

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
  /** Messages consumed in the batch, dead letters included: what a restart would read again. */
  readonly messageCount: number
  /** The jobs' messages, packed: the original bytes an APPLY_FAILED dead letter carries. */
  readonly retained: RetainedMessages
  /** When the batch was handed on (ms since epoch): the age of the oldest unsettled message. */
  readonly handedOnAt: number
}

export interface PartitionCommit {
  readonly topic: string
  readonly partition: number
  /** The offset to commit: one past the last settled batch; undefined when only former batches settled. */
  readonly offset: string | undefined
  /** Sorted by source offset; sent only at or above the group's committed offset. */
  readonly deadLetters: readonly Message[]
  /** Dead letters of settled former batches, sent as they are: their offsets belong to no current position. */
  readonly formerDeadLetters: readonly Message[]
  readonly batches: number
  /** The former batches this commit settles, released by identity. */
  readonly formerBatches: readonly PendingBatch[]
  readonly messages: number
  readonly generation: number
}

/** A partition whose offsets went backwards under this worker. */
export interface OffsetRegression {
  readonly topic: string
  readonly partition: number
  /** Where the partition was expected to go on from. */
  readonly expectedFrom: string
  /** Where the batch that revealed it starts. */
  readonly firstOffset: string
  /** Pending batches of the earlier incarnation, kept until their jobs settle. */
  readonly formerBatches: number
}

export type AddResult = { readonly added: false } | { readonly added: true; readonly regression?: OffsetRegression }

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
  /** The committed offset as this worker knows it: learnt at first sight, then from its own commits. */
  committed?: bigint
  /** Set by `restartIncarnation`: batches from at or past this offset were fetched before its seek. */
  restartedBelow?: bigint
  /**
   * Set by `restartIncarnation`: where it sought to. A batch starting there is the seek's read,
   * never a new incarnation, even when a batch of the same offsets, fetched before the seek took
   * effect, was taken first: that one is dropped, and this one carries its messages and letters.
   */
  restartedFrom?: bigint
  /** Whether `learnCommittedOffset` ran for this partition. */
  learnt: boolean
  /** Pending batches of an earlier incarnation of the partition (see the header). */
  former: PendingBatch[]
}

export type Settlements = ReadonlyMap<string, readonly ApplyFailure[]>

export class HandOverLedger {
  private readonly partitions = new Map<string, PartitionState>()
  private messageCount = 0
  private byteCount = 0
  /** Bytes each held batch keeps, counted once when it is added. */
  private readonly batchBytes = new WeakMap<PendingBatch, number>()

  generation(topic: string, partition: number): number {
    return this.state(topic, partition).generation
  }

  /**
   * Appends a handed-on batch; not added when its partition was rewound since `generation`, or
   * when it was fetched before the rewind's seek took effect: kafkajs may still deliver a batch
   * it had prefetched from the old position, and accepted it would let a later commit jump past
   * the re-read window (its dead letters then counted as sent). After a rewind to offset F, the
   * first batch kafkajs reads starts exactly at F (F is a data message this worker read before).
   * A batch from a new incarnation of the partition is added, with the regression it revealed.
   */
  add(topic: string, partition: number, generation: number, batch: PendingBatch): AddResult {
    const state = this.state(topic, partition)
    if (state.generation !== generation) return { added: false }
    if (state.rewoundTo !== undefined) {
      if (BigInt(batch.firstOffset) !== state.rewoundTo) return { added: false }
      delete state.rewoundTo
    }
    if (state.restartedBelow !== undefined) {
      if (BigInt(batch.firstOffset) >= state.restartedBelow) return { added: false }
      delete state.restartedBelow
    }
    if (state.restartedFrom !== undefined && BigInt(batch.firstOffset) === state.restartedFrom) {
      // Letters of what was committed meanwhile stay below the group's offset, the floor the commit filters by.
      this.forget(state.batches)
      state.batches = [batch]
      this.hold(batch)
      return { added: true }
    }
    const regression = regressionOf(state, batch)
    if (regression !== undefined) {
      delete state.restartedFrom
      state.former.push(...state.batches)
      state.batches = []
      state.generation += 1
      delete state.committed
    }
    state.batches.push(batch)
    this.hold(batch)
    return regression === undefined ? { added: true } : { added: true, regression }
  }

  /** False once `learnCommittedOffset` ran for the partition. */
  needsCommittedOffset(topic: string, partition: number): boolean {
    return !this.state(topic, partition).learnt
  }

  /** What a previous run committed (undefined: nothing known): the floor a new incarnation falls below. */
  learnCommittedOffset(topic: string, partition: number, offset: string | undefined): void {
    const state = this.state(topic, partition)
    state.learnt = true
    if (offset !== undefined && state.committed === undefined) state.committed = BigInt(offset)
  }

  /** Messages consumed and not yet committed (what a restart would read again). */
  get pendingMessages(): number {
    return this.messageCount
  }

  /** Bytes the pending batches keep for their dead letters (keys, values, headers). */
  get pendingBytes(): number {
    return this.byteCount
  }

  pendingJobIds(): string[] {
    return [...this.partitions.values()].flatMap((state) =>
      [...state.former, ...state.batches].flatMap((batch) => batch.jobs.map((job) => job.id)),
    )
  }

  /** Former batches with a job in neither `settled` nor `present`: lost with their incarnation. */
  abandonLostFormer(settled: Settlements, present: ReadonlySet<string>): { topic: string; partition: number; batch: PendingBatch }[] {
    const lost: { topic: string; partition: number; batch: PendingBatch }[] = []
    for (const state of this.partitions.values()) {
      state.former = state.former.filter((batch) => {
        if (!batch.jobs.some((job) => !settled.has(job.id) && !present.has(job.id))) return true
        lost.push({ topic: state.topic, partition: state.partition, batch })
        this.forget([batch])
        return false
      })
    }
    return lost
  }

  /** Unsettled jobs of former batches. */
  formerJobIds(settled: Settlements): string[] {
    return [...this.partitions.values()].flatMap((state) =>
      state.former.flatMap((batch) => batch.jobs.filter((job) => !settled.has(job.id)).map((job) => job.id)),
    )
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
    const isSettled = (batch: PendingBatch): boolean => batch.jobs.every((job) => settled.has(job.id))
    const lettersOf = (state: PartitionState, batches: readonly PendingBatch[]): Message[] =>
      batches
        .flatMap((batch) => [...batch.deadLetters, ...refusedMessageLetters(state, batch, settled, failedAt)])
        .sort((a, b) => compareOffsets(sourceOffset(a), sourceOffset(b)))
    for (const state of this.partitions.values()) {
      const done: PendingBatch[] = []
      for (const batch of state.batches) {
        if (!isSettled(batch)) break
        done.push(batch)
      }
      const former = state.former.filter(isSettled)
      const last = done[done.length - 1]
      if (last === undefined && former.length === 0) continue
      commits.push({
        topic: state.topic,
        partition: state.partition,
        offset: last === undefined ? undefined : (BigInt(last.lastOffset) + 1n).toString(),
        deadLetters: lettersOf(state, done),
        formerDeadLetters: lettersOf(state, former),
        batches: done.length,
        formerBatches: former,
        messages: [...done, ...former].reduce((sum, batch) => sum + batch.messageCount, 0),
        generation: state.generation,
      })
    }
    return commits
  }

  /** Forgets the batches a commit covered (the current ones unless the partition was rewound meanwhile). */
  release(commit: PartitionCommit): void {
    const state = this.state(commit.topic, commit.partition)
    const released = new Set(commit.formerBatches)
    state.former = state.former.filter((batch) => !released.has(batch))
    this.forget(commit.formerBatches)
    if (state.generation !== commit.generation) return
    this.forget(state.batches.splice(0, commit.batches))
    if (commit.offset !== undefined) state.committed = BigInt(commit.offset)
  }

  /** Forgets the partition's window and returns where to read it again from (undefined: nothing pending). */
  rewind(topic: string, partition: number): string | undefined {
    const state = this.state(topic, partition)
    const from = state.batches[0]?.firstOffset
    this.forget(state.batches)
    state.batches = []
    state.generation += 1
    if (from !== undefined) state.rewoundTo = BigInt(from)
    return from
  }

  /** Partitions whose committed offset this worker knows (committed here, or learnt at first sight). */
  knownCommittedOffsets(): { topic: string; partition: number; offset: bigint }[] {
    return [...this.partitions.values()].flatMap((state) =>
      state.committed === undefined ? [] : [{ topic: state.topic, partition: state.partition, offset: state.committed }],
    )
  }

  /**
   * The group's committed offset of the partition vanished under the worker (its topic was deleted
   * and created again). kafkajs keeps fetching from its old position, and in the new incarnation
   * that skips every message below it without an error once the new log reaches it. The caller
   * seeks to the new incarnation's start; this forgets the window (read again from there) and the
   * committed offset, and refuses batches fetched from the old position before the seek took effect.
   */
  restartIncarnation(topic: string, partition: number, from: bigint): void {
    const state = this.state(topic, partition)
    this.forget(state.batches)
    state.batches = []
    state.generation += 1
    state.restartedFrom = from
    if (state.committed !== undefined) state.restartedBelow = state.committed
    delete state.committed
    delete state.rewoundTo
  }

  /**
   * A rebalance: kafkajs reads every assigned partition again from its committed offset. Former
   * batches stay: no one can read them again.
   */
  clear(): void {
    for (const state of this.partitions.values()) {
      this.forget(state.batches)
      state.batches = []
      state.generation += 1
      delete state.rewoundTo
    }
  }

  /** Counts a batch in: its messages, and the bytes of what it keeps for dead letters. */
  private hold(batch: PendingBatch): void {
    let bytes = batch.retained.bytes
    for (const letter of batch.deadLetters) bytes += retainedBytes(letter)
    this.batchBytes.set(batch, bytes)
    this.messageCount += batch.messageCount
    this.byteCount += bytes
  }

  private forget(batches: readonly PendingBatch[]): void {
    for (const batch of batches) {
      this.messageCount -= batch.messageCount
      this.byteCount -= this.batchBytes.get(batch) ?? 0
    }
  }

  private state(topic: string, partition: number): PartitionState {
    const key = `${topic}\u0000${partition}`
    let state = this.partitions.get(key)
    if (state === undefined) {
      state = { topic, partition, generation: 0, batches: [], learnt: false, former: [] }
      this.partitions.set(key, state)
    }
    return state
  }
}

/** Dead letters at or above `floor` (the group's committed offset): those below were sent with an earlier commit. */
export function deadLettersFrom(letters: readonly Message[], floor: bigint): Message[] {
  return letters.filter((letter) => BigInt(sourceOffset(letter)) >= floor)
}

/** A batch below the committed offset or inside the pending window, with no rewind awaited: a new incarnation. */
function regressionOf(state: PartitionState, batch: PendingBatch): OffsetRegression | undefined {
  const first = BigInt(batch.firstOffset)
  const last = state.batches[state.batches.length - 1]
  const expected = last === undefined ? state.committed : BigInt(last.lastOffset) + 1n
  if (expected === undefined || first >= expected) return undefined
  return {
    topic: state.topic,
    partition: state.partition,
    expectedFrom: expected.toString(),
    firstOffset: batch.firstOffset,
    formerBatches: state.batches.length,
  }
}

function refusedMessageLetters(state: PartitionState, batch: PendingBatch, settled: Settlements, failedAt: Date): Message[] {
  const letters: Message[] = []
  for (const job of batch.jobs) {
    for (const failure of settled.get(job.id) ?? []) {
      const offsets = failure.offset === WHOLE_JOB_OFFSET ? job.offsets : [failure.offset]
      for (const offset of offsets) {
        const message = batch.retained.find(offset)
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
