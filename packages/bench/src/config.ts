import { DEFAULT_REDIS_URL, env, loadConfig } from '@event-analytics/contracts'

const shape = {
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081/apis/ccompat/v7'),
  REDIS_URL: env.url(DEFAULT_REDIS_URL),
  /** Server the per-phase bench databases are created on. */
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/postgres'),
  /** Backlog for the throughput comparison (raw consume and end-to-end). */
  BENCH_MESSAGES: env.integer(60_000, 100),
  /** Distinct events the messages are spread over. */
  BENCH_EVENTS: env.integer(200, 1),
  /** Backlog of the naive baseline (it is slow; its rate is what matters). */
  BENCH_NAIVE_MESSAGES: env.integer(4_000, 100),
  /** BullMQ worker concurrency of the naive baseline. */
  BENCH_NAIVE_CONCURRENCY: env.integer(8, 1),
  BENCH_FRESHNESS_RATE: env.integer(5_000, 10),
  BENCH_FRESHNESS_SECONDS: env.integer(30, 3),
  /** Runs at halved rates until one is sustained, at most this many. */
  BENCH_FRESHNESS_ATTEMPTS: env.integer(3, 1),
  BENCH_API_SECONDS: env.integer(8, 1),
  BENCH_API_CONNECTIONS: env.integer(16, 1),
  BENCH_TIMELINE_REQUESTS: env.integer(200, 10),
  /** Live-stream fan-out: clients on one event, at BENCH_FRESHNESS_RATE background load. */
  BENCH_FANOUT_CLIENTS: env.integer(1000, 1, 20_000),
  BENCH_FANOUT_SECONDS: env.integer(20, 3),
  /** Comma list of phases to run: throughput, freshness, api, fanout; `cluster` (queue + cache on a local Redis Cluster) only when named. */
  BENCH_PHASES: env.list('throughput,freshness,api,fanout'),
  /** Skip rewriting BENCHMARKS.md (the JSON is always written). */
  BENCH_WRITE_MARKDOWN: env.boolean(true),
}

export function loadBenchConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(shape, source)
}

export type BenchConfig = ReturnType<typeof loadBenchConfig>

/** The sizes recorded next to the figures. */
export function settingsOf(config: BenchConfig): Record<string, number | string> {
  return {
    BENCH_MESSAGES: config.BENCH_MESSAGES,
    BENCH_EVENTS: config.BENCH_EVENTS,
    BENCH_NAIVE_MESSAGES: config.BENCH_NAIVE_MESSAGES,
    BENCH_NAIVE_CONCURRENCY: config.BENCH_NAIVE_CONCURRENCY,
    BENCH_FRESHNESS_RATE: config.BENCH_FRESHNESS_RATE,
    BENCH_FRESHNESS_SECONDS: config.BENCH_FRESHNESS_SECONDS,
    BENCH_API_SECONDS: config.BENCH_API_SECONDS,
    BENCH_API_CONNECTIONS: config.BENCH_API_CONNECTIONS,
    BENCH_TIMELINE_REQUESTS: config.BENCH_TIMELINE_REQUESTS,
    BENCH_FANOUT_CLIENTS: config.BENCH_FANOUT_CLIENTS,
    BENCH_FANOUT_SECONDS: config.BENCH_FANOUT_SECONDS,
  }
}
