/**
 * The claim floor: the aggregator's claim (claimMessages: the epoch read and the one
 * INSERT ... ON CONFLICT DO NOTHING statement, in a transaction of its own per batch) and
 * nothing else, against a fresh bench database of the same schema, in batches of the
 * aggregator's size. The CPU of the one backend serving it (pg_backend_pid(), /proc) per
 * message is the least PostgreSQL spends on the durable dedupe; the bench process's CPU
 * (the client) is reported beside it.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { loadAggregatorConfig } from '@event-analytics/aggregator'
import { claimMessages, closeDb, createDb, dropDatabase, setupDatabase, withDatabase } from '@event-analytics/db'
import { readBackendPid } from '@event-analytics/db/bench'
import type { BenchConfig } from '../config.js'
import { median, processCpuMicros, type ClaimFloorResult } from '../proc-cpu.js'
import type { Progress } from '../progress.js'
import { backlog, newEventIds } from '../workload.js'

/** The drain's mean batch when the throughput phase measured one, else the aggregator's configured maximum. */
export function claimBatchSize(drainMeanBatch: number | null): { size: number; source: ClaimFloorResult['batchSource'] } {
  if (drainMeanBatch !== null && Number.isFinite(drainMeanBatch) && drainMeanBatch >= 1)
    return { size: Math.round(drainMeanBatch), source: 'end-to-end drain mean' }
  return { size: loadAggregatorConfig(process.env).batchMaxMessages, source: 'AGGREGATOR_BATCH_MAX_MESSAGES' }
}

/**
 * Rounds, each on a database of its own: one round's backend spends well under a second of CPU,
 * so a single one moves with the machine's cache and WAL state; the median of three holds better.
 */
const ROUNDS = 3

interface RoundCpu {
  readonly backendMicros: number
  readonly clientMicros: number
  readonly wallSeconds: number
  readonly batches: number
}

async function claimRound(config: BenchConfig, ids: readonly string[], batchSize: number, progress: Progress): Promise<RoundCpu> {
  const url = withDatabase(config.DATABASE_URL, `ea_bench${randomBytes(4).toString('hex')}floor`)
  await setupDatabase(url, { monthsBack: 1, monthsAhead: 1 })
  const db = createDb(url, { poolSize: 1, applicationName: 'bench-claim-floor' })
  try {
    const pid = await readBackendPid(db)
    const before = processCpuMicros(pid)
    const clientBefore = process.cpuUsage()
    const started = performance.now()
    let batches = 0
    for (let start = 0; start < ids.length; start += batchSize) {
      const slice = ids.slice(start, start + batchSize)
      const fresh = await db.transaction().execute((trx) => claimMessages(trx, slice))
      if (fresh.size !== slice.length) throw new Error(`claim floor: ${fresh.size} of ${slice.length} fresh ids claimed`)
      batches += 1
      progress.update(`claimed ${start + slice.length}/${ids.length}`)
    }
    const wallSeconds = (performance.now() - started) / 1000
    const client = process.cpuUsage(clientBefore)
    const backendMicros = processCpuMicros(pid) - before
    if ((await readBackendPid(db)) !== pid) throw new Error(`claim floor: backend ${pid} replaced during the run`)
    return { backendMicros, clientMicros: client.user + client.system, wallSeconds, batches }
  } finally {
    await closeDb(db)
    await dropDatabase(url)
  }
}

export async function runClaimFloor(config: BenchConfig, progress: Progress, drainMeanBatch: number | null): Promise<ClaimFloorResult> {
  const total = config.BENCH_MESSAGES
  const batch = claimBatchSize(drainMeanBatch)
  progress.phase(`claim floor: ${ROUNDS} x ${total} claims in batches of ${batch.size} (${batch.source}), nothing else`)
  const rounds: RoundCpu[] = []
  for (let round = 0; round < ROUNDS; round += 1) {
    // The same ids as the pipeline's (random UUIDs), generated outside the measured loop.
    const ids = backlog(newEventIds(Math.min(config.BENCH_EVENTS, total)), total).map((message) => message.messageId)
    rounds.push(await claimRound(config, ids, batch.size, progress))
  }
  const backend = rounds.map((r) => r.backendMicros / total)
  const client = rounds.map((r) => r.clientMicros / total)
  const result: ClaimFloorResult = {
    messages: total,
    batchSize: batch.size,
    batchSource: batch.source,
    batches: rounds[0]?.batches ?? 0,
    rounds: rounds.length,
    wallSeconds: median(rounds.map((r) => r.wallSeconds)),
    backendMicrosPerMessage: median(backend),
    roundsBackendMicrosPerMessage: backend,
    clientMicrosPerMessage: median(client),
  }
  progress.done(
    `backend ${backend.map((v) => v.toFixed(1)).join(' / ')} CPU-µs/msg (median ${result.backendMicrosPerMessage.toFixed(1)}), client ${result.clientMicrosPerMessage.toFixed(1)}`,
  )
  return result
}
