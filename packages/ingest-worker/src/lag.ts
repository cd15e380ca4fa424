/**
 * Consumer lag read from the broker on a timer, not after a batch: a pipeline that stopped
 * draining (aggregator down, Redis full, PostgreSQL gone) has no batches to report from.
 * Because offsets are committed only once PostgreSQL settled their jobs, this lag counts
 * every message not yet applied or dead-lettered, wherever it waits.
 *
 * Stalled: messages are behind and no committed offset moved for `stallAfterMs`. Logged once
 * when it starts and once when it ends, exported as `ingest_pipeline_stalled`, and failed by
 * the `pipeline` readiness check.
 */
import { runEvery, type Logger, type Periodic } from '@event-analytics/ops'
import type { Admin } from 'kafkajs'
import { committedOffsets, partitionKey } from './committer.js'
import type { HandOverLedger } from './ledger.js'
import type { IngestMetrics } from './metrics.js'

export interface LagMonitorOptions {
  readonly intervalMs: number
  readonly stallAfterMs: number
}

export interface LagMonitor {
  run(): void
  close(): Promise<void>
  /** Throws while the pipeline is stalled (the readiness check). */
  assertDraining(): void
  /** One measurement now; for tests. */
  measure(): Promise<void>
}

export function createLagMonitor(
  deps: { admin: Admin; groupId: string; topics: readonly string[]; ledger: HandOverLedger; metrics: IngestMetrics; logger: Logger },
  options: LagMonitorOptions,
): LagMonitor {
  let loop: Periodic | undefined
  let lastCommitted = -1n
  let lastProgress = Date.now()
  let stalled: { since: number; lag: number } | undefined

  async function measure(): Promise<void> {
    const committed = await committedOffsets(deps.admin, deps.groupId, deps.topics)
    let total = 0
    let committedSum = 0n
    for (const topic of deps.topics) {
      for (const { partition, high, low } of await deps.admin.fetchTopicOffsets(topic)) {
        const from = committed.get(partitionKey(topic, partition)) ?? -1n
        const lag = Number(BigInt(high) - (from < 0n ? BigInt(low) : from))
        deps.metrics.consumerLag.set({ topic, partition: String(partition) }, lag)
        total += lag
        committedSum += from < 0n ? 0n : from
      }
    }
    const oldest = deps.ledger.oldestHandedOnAt()
    deps.metrics.oldestUnsettledSeconds.set(oldest === undefined ? 0 : (Date.now() - oldest) / 1000)
    deps.metrics.pendingMessages.set(deps.ledger.pendingMessages)
    deps.metrics.pendingBytes.set(deps.ledger.pendingBytes)
    if (committedSum !== lastCommitted || total === 0) {
      lastCommitted = committedSum
      lastProgress = Date.now()
    }
    judge(total)
  }

  function judge(lag: number): void {
    const isStalled = lag > 0 && Date.now() - lastProgress >= options.stallAfterMs
    deps.metrics.stalled.set(isStalled ? 1 : 0)
    if (isStalled && stalled === undefined) {
      stalled = { since: lastProgress, lag }
      deps.logger.warn(
        { lag, noCommitForMs: Date.now() - lastProgress },
        'pipeline stalled: messages are behind and no offset was committed',
      )
    } else if (!isStalled && stalled !== undefined) {
      deps.logger.info({ stalledMs: Date.now() - stalled.since }, 'pipeline draining again')
      stalled = undefined
    } else if (stalled !== undefined) {
      stalled.lag = lag
    }
  }

  return {
    run() {
      loop ??= runEvery(measure, {
        intervalMs: options.intervalMs,
        onError: (error) => deps.logger.debug({ err: error }, 'lag measurement failed'),
      })
    },
    async close() {
      await loop?.stop()
    },
    assertDraining() {
      if (stalled !== undefined) {
        throw new Error(
          `not draining: ${stalled.lag} messages behind and no offset committed for ${Math.round((Date.now() - stalled.since) / 1000)} s`,
        )
      }
    },
    measure,
  }
}
