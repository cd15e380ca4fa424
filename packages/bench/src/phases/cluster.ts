/**
 * Cluster: the throughput phase's end-to-end drain (ingest-worker + aggregator child
 * processes) twice, each on a backlog of its own of BENCH_MESSAGES in fresh topics: once with
 * the queue and cache on the shared single Redis, once on a local 3-master Redis Cluster
 * (REDIS_CLUSTER_NODES; the queue prefix hash-tagged by the services). Both in the same run,
 * so the ratio compares like with like on this machine. The cluster's nodes run on the same
 * two cores as everything else: the figure says what the cluster's protocol costs (MOVED-free
 * slot routing, one slot per queue), not what more machines would add.
 */
import { startRedisCluster } from '@event-analytics/ops/testing'
import type { BenchConfig } from '../config.js'
import { createPhase } from '../isolation.js'
import type { MemoryBook } from '../memory.js'
import type { Progress } from '../progress.js'
import type { ClusterResult } from '../results.js'
import { ONE_EACH, endToEnd, fill, type RedisPlacement } from './throughput.js'

const MASTERS = 3

async function drain(config: BenchConfig, progress: Progress, memory: MemoryBook, label: string, redis?: RedisPlacement): Promise<number> {
  const phase = await createPhase(config, label.slice(0, 3))
  try {
    progress.phase(`cluster: producing a backlog of ${config.BENCH_MESSAGES} messages (${label})`)
    await fill(config, phase, config.BENCH_MESSAGES, progress)
    progress.phase(`cluster: end-to-end drain, ${label}`)
    const { endToEndRate } = await endToEnd(config, phase, config.BENCH_MESSAGES, ONE_EACH, progress, memory, {
      label,
      ...(redis === undefined ? {} : { redis }),
    })
    progress.done(`${Math.round(endToEndRate)} msg/s`)
    return endToEndRate
  } finally {
    await phase.cleanup()
  }
}

export async function runCluster(config: BenchConfig, progress: Progress, memory: MemoryBook): Promise<ClusterResult> {
  const singleRedisRate = await drain(config, progress, memory, 'single-redis')
  const cluster = await startRedisCluster({ masters: MASTERS })
  try {
    const placement: RedisPlacement = { env: { REDIS_CLUSTER_NODES: cluster.nodesVariable }, unset: ['REDIS_URL', 'CACHE_REDIS_URL'] }
    const clusterRate = await drain(config, progress, memory, 'cluster', placement)
    const ratio = (clusterRate / singleRedisRate).toFixed(2)
    progress.done(`cluster ${Math.round(clusterRate)} msg/s vs single Redis ${Math.round(singleRedisRate)} msg/s (${ratio} x)`)
    return { messages: config.BENCH_MESSAGES, masters: MASTERS, singleRedisRate, clusterRate }
  } finally {
    await cluster.stop()
  }
}
