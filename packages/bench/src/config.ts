import { isAbsolute } from 'node:path'
import { DEFAULT_KAFKA_BROKERS, DEFAULT_SCHEMA_REGISTRY_URL } from '@event-analytics/contracts'
import { DEFAULT_REDIS_URL, env, loadConfig } from '@event-analytics/ops'
import { HEAP_PROFILE_KEEPS } from './heap-profile-options.js'

const shape = {
  KAFKA_BROKERS: env.list(DEFAULT_KAFKA_BROKERS),
  SCHEMA_REGISTRY_URL: env.url(DEFAULT_SCHEMA_REGISTRY_URL),
  REDIS_URL: env.url(DEFAULT_REDIS_URL),
  /** Server the per-phase bench databases are created on. */
  DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/postgres'),
  /** Backlog for the throughput comparison (raw consume and end-to-end). */
  BENCH_MESSAGES: env.integer(60_000, 100),
  /**
   * The throughput phase drains a second, larger backlog (this many times BENCH_MESSAGES) with
   * one ingest worker and one aggregator, for the steady-state CPU per event (steady-cpu.ts); 0
   * or 1 skips it.
   */
  BENCH_STEADY_FACTOR: env.integer(3, 0, 20),
  /** Distinct events the messages are spread over. */
  BENCH_EVENTS: env.integer(200, 1),
  /** Backlog of the naive baseline (it is slow; its rate is what matters). */
  BENCH_NAIVE_MESSAGES: env.integer(4_000, 100),
  /** BullMQ worker concurrency of the naive baseline. */
  BENCH_NAIVE_CONCURRENCY: env.integer(8, 1),
  /** Background load of the fan-out phase, participants/s. */
  BENCH_FRESHNESS_RATE: env.integer(5_000, 10),
  /** Duration of a freshness step at a fixed rate (5k, 10k, 20k events/s): their p50/p99 are headline rows. */
  BENCH_FRESHNESS_SECONDS: env.integer(30, 3),
  /** First rate of the capacity search, events/s; doubled while it passes. */
  BENCH_CAPACITY_START_RATE: env.integer(5_000, 100),
  /** Duration of a search step at a rate that is not a fixed one. */
  BENCH_CAPACITY_STEP_SECONDS: env.integer(15, 3),
  /** Steps of the search at most (fixed rows the search did not reach are run after it, up to 3 more). */
  BENCH_CAPACITY_MAX_STEPS: env.integer(6, 1, 20),
  /** The search starts no step that would end after this many seconds of the phase. */
  BENCH_CAPACITY_MAX_SECONDS: env.integer(300, 10),
  /** Bisection stops once last pass and first fail are within this percentage of the pass. */
  BENCH_CAPACITY_RESOLUTION_PERCENT: env.integer(10, 1, 100),
  /** Ingest workers and aggregators of the scale-out runs (each kind); below 2 skips them. */
  BENCH_SCALE_OUT: env.integer(2, 0, 8),
  /** Also run the capacity search with BENCH_SCALE_OUT of each (doubles the freshness time). */
  BENCH_CAPACITY_SCALE_OUT: env.boolean(false),
  BENCH_API_SECONDS: env.integer(8, 1),
  BENCH_API_CONNECTIONS: env.integer(16, 1),
  BENCH_TIMELINE_REQUESTS: env.integer(200, 10),
  /** Live-stream fan-out: clients on one event, at BENCH_FRESHNESS_RATE background load. */
  BENCH_FANOUT_CLIENTS: env.integer(1000, 1, 20_000),
  BENCH_FANOUT_SECONDS: env.integer(20, 3),
  /**
   * Comma list of phases to run: throughput, claim-floor (the claim statement alone, after
   * throughput so it takes the drain's batch size), cluster (queue + cache on a local Redis
   * Cluster), freshness, api, fanout; and rebuild (not run by default: the live path's
   * freshness with and without a rebuild running, docs/rebuild.md).
   */
  BENCH_PHASES: env.list('throughput,claim-floor,cluster,freshness,api,fanout'),
  /** Phase `rebuild`: participants produced and drained before its two freshness steps. */
  BENCH_REBUILD_BACKLOG: env.integer(100_000, 1),
  /** Phase `rebuild`: the rate of its two freshness steps (alone, then during a rebuild); the freshness target's rate by default. */
  BENCH_REBUILD_RATE: env.integer(5000, 1),
  /**
   * A directory: the ingest workers, aggregators and APIs write a V8 CPU profile there when they exit
   * (`--cpu-prof`; open it in Chrome DevTools). Profiling slows them: their figures are not comparable.
   */
  BENCH_CPU_PROFILE_DIR: env.optionalString(),
  /**
   * An absolute directory (the services run in their own package folders): the services write a
   * sampling heap profile of their whole life there when they exit (src/heap-profile.ts; what they
   * allocated, garbage included). Sampling slows them a little: their figures are not comparable.
   */
  BENCH_HEAP_PROFILE_DIR: env.optionalString().refine((path) => path === undefined || isAbsolute(path), 'must be an absolute path'),
  /**
   * What that profile keeps: `all` it allocated, or only what was `promoted` (outlived the
   * scavenges): the garbage that grows the old generation and the peak RSS.
   */
  BENCH_HEAP_PROFILE_KEEP: env.oneOf(HEAP_PROFILE_KEEPS, 'all'),
  /**
   * More V8 options for every service the bench starts (after the services' own, so they win):
   * for trying a setting before it is made the default. Figures measured with it are of that setting.
   */
  BENCH_NODE_OPTIONS: env.optionalString(),
  /** Skip rewriting BENCHMARKS.md (the JSON is always written). */
  BENCH_WRITE_MARKDOWN: env.boolean(true),
}

export function loadBenchConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(shape, source)
}

export type BenchConfig = ReturnType<typeof loadBenchConfig>

/** The sizes, and any setting that changes what the figures mean, recorded next to the figures. */
export function settingsOf(config: BenchConfig): Record<string, number | string> {
  return {
    BENCH_PHASES: config.BENCH_PHASES.join(','),
    BENCH_MESSAGES: config.BENCH_MESSAGES,
    BENCH_STEADY_FACTOR: config.BENCH_STEADY_FACTOR,
    BENCH_EVENTS: config.BENCH_EVENTS,
    BENCH_NAIVE_MESSAGES: config.BENCH_NAIVE_MESSAGES,
    BENCH_NAIVE_CONCURRENCY: config.BENCH_NAIVE_CONCURRENCY,
    BENCH_FRESHNESS_RATE: config.BENCH_FRESHNESS_RATE,
    BENCH_FRESHNESS_SECONDS: config.BENCH_FRESHNESS_SECONDS,
    BENCH_CAPACITY_START_RATE: config.BENCH_CAPACITY_START_RATE,
    BENCH_CAPACITY_STEP_SECONDS: config.BENCH_CAPACITY_STEP_SECONDS,
    BENCH_CAPACITY_MAX_STEPS: config.BENCH_CAPACITY_MAX_STEPS,
    BENCH_CAPACITY_MAX_SECONDS: config.BENCH_CAPACITY_MAX_SECONDS,
    BENCH_CAPACITY_RESOLUTION_PERCENT: config.BENCH_CAPACITY_RESOLUTION_PERCENT,
    BENCH_SCALE_OUT: config.BENCH_SCALE_OUT,
    BENCH_CAPACITY_SCALE_OUT: String(config.BENCH_CAPACITY_SCALE_OUT),
    BENCH_API_SECONDS: config.BENCH_API_SECONDS,
    BENCH_API_CONNECTIONS: config.BENCH_API_CONNECTIONS,
    BENCH_TIMELINE_REQUESTS: config.BENCH_TIMELINE_REQUESTS,
    BENCH_FANOUT_CLIENTS: config.BENCH_FANOUT_CLIENTS,
    BENCH_FANOUT_SECONDS: config.BENCH_FANOUT_SECONDS,
    ...(config.BENCH_NODE_OPTIONS === undefined ? {} : { BENCH_NODE_OPTIONS: config.BENCH_NODE_OPTIONS }),
    // A profiler slows the services: figures taken under one say so.
    ...(config.BENCH_CPU_PROFILE_DIR === undefined ? {} : { BENCH_CPU_PROFILE_DIR: config.BENCH_CPU_PROFILE_DIR }),
    ...(config.BENCH_HEAP_PROFILE_DIR === undefined
      ? {}
      : { BENCH_HEAP_PROFILE_DIR: config.BENCH_HEAP_PROFILE_DIR, BENCH_HEAP_PROFILE_KEEP: config.BENCH_HEAP_PROFILE_KEEP }),
  }
}
