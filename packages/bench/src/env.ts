/** Environment of each service child process for one phase. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SERVICE_NODE_OPTIONS } from '@event-analytics/ops'
import type { BenchConfig } from './config.js'
import type { PipelineTarget } from './isolation.js'
import { packageDir } from './paths.js'

export const BENCH_JWT_SECRET = 'bench-only-secret-0123456789abcdef-0123456789'

/**
 * The services' V8 options: the deployed ones, then BENCH_NODE_OPTIONS, then a CPU profile written
 * on exit when BENCH_CPU_PROFILE_DIR is set, and the heap sampler when BENCH_HEAP_PROFILE_DIR is
 * (the services inherit the variable, which tells the sampler where to write).
 */
export function serviceNodeOptions(config: BenchConfig): string {
  const profile = config.BENCH_CPU_PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${config.BENCH_CPU_PROFILE_DIR}`]
  const heap = config.BENCH_HEAP_PROFILE_DIR === undefined ? [] : [`--import=${pathToFileURL(heapProfilerModule()).href}`]
  return [SERVICE_NODE_OPTIONS, config.BENCH_NODE_OPTIONS, ...profile, ...heap].filter((option) => option !== undefined).join(' ')
}

/** The built sampler: the services run from dist, and NODE_OPTIONS cannot load TypeScript. */
function heapProfilerModule(): string {
  const built = join(packageDir('bench'), 'dist', 'heap-profile.js')
  if (!existsSync(built))
    throw new Error(`BENCH_HEAP_PROFILE_DIR needs the built bench (${built}): run pnpm --filter @event-analytics/bench build`)
  return built
}

/** The phase's own change announcements (aggregator -> API live streams). */
export function changesChannel(phase: PipelineTarget): string {
  return `${phase.prefix}-changes`
}

/** `instance` numbers the workers of one consumer group: each needs its own transactional id (Kafka fences a reused one). */
export function ingestEnv(config: BenchConfig, phase: PipelineTarget, opsPort: number, instance = 0): Record<string, string> {
  return {
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
    REDIS_URL: config.REDIS_URL,
    DATABASE_URL: phase.databaseUrl,
    KAFKA_GROUP_ID: phase.groupId('ingest'),
    KAFKA_TRANSACTIONAL_ID: phase.groupId(instance === 0 ? 'ingest-tx' : `ingest-tx-${instance}`),
    BULLMQ_PREFIX: phase.prefix,
    TOPIC_EVENT_CREATED: phase.topics.EventCreated,
    TOPIC_EVENT_STATUS_CHANGED: phase.topics.EventStatusChanged,
    TOPIC_DISTRIBUTION_COMPLETED: phase.topics.DistributionCompleted,
    TOPIC_PARTICIPANT_REGISTERED: phase.topics.ParticipantRegistered,
    TOPIC_DEAD_LETTER: phase.deadLetterTopic,
    INGEST_OPS_PORT: String(opsPort),
    NODE_OPTIONS: serviceNodeOptions(config),
  }
}

export function aggregatorEnv(config: BenchConfig, phase: PipelineTarget, opsPort: number): Record<string, string> {
  return {
    DATABASE_URL: phase.databaseUrl,
    REDIS_URL: config.REDIS_URL,
    BULLMQ_PREFIX: phase.prefix,
    AGGREGATOR_OPS_PORT: String(opsPort),
    CACHE_CHANGES_CHANNEL: changesChannel(phase),
    NODE_OPTIONS: serviceNodeOptions(config),
  }
}

export function apiEnv(config: BenchConfig, phase: PipelineTarget, port: number): Record<string, string> {
  return {
    DATABASE_URL: phase.databaseUrl,
    REDIS_URL: config.REDIS_URL,
    BULLMQ_PREFIX: phase.prefix,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    JWT_SECRET: BENCH_JWT_SECRET,
    // The benchmark is one client hammering loopback; the limiter would only measure itself.
    RATE_LIMIT_MAX: '1000000000',
    BOARD_ENABLED: 'false',
    CACHE_CHANGES_CHANNEL: changesChannel(phase),
    NODE_OPTIONS: serviceNodeOptions(config),
  }
}
