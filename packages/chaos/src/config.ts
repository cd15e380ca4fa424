/** The suite's settings (env, validated once). Ports default away from the shared stack's. */
import { DEFAULT_SCHEMA_REGISTRY_URL } from '@event-analytics/contracts'
import { env, loadConfig } from '@event-analytics/ops'

const shape = {
  CHAOS_SEED: env.integer(20260401, 1),
  /** Participants of the scenario (before its duplicates), spread over the fault runs. */
  CHAOS_PARTICIPANTS: env.integer(4800, 50),
  CHAOS_FUZZ_REQUESTS: env.integer(1500, 0, 100_000),
  CHAOS_REDIS_PORT: env.port(6391),
  CHAOS_POSTGRES_PORT: env.port(5441),
  CHAOS_KAFKA_PORT: env.port(9192),
  CHAOS_KAFKA_CONTROLLER_PORT: env.port(9193),
  CHAOS_INGEST_OPS_PORT: env.port(19101),
  CHAOS_AGGREGATOR_OPS_PORT: env.port(19102),
  CHAOS_API_PORT: env.port(13091),
  CHAOS_WEBHOOK_OPS_PORT: env.port(19103),
  /** The shared registry is never restarted; subjects are unique per run. */
  SCHEMA_REGISTRY_URL: env.url(DEFAULT_SCHEMA_REGISTRY_URL),
  /** Where the summary is written (relative to the repository root). */
  CHAOS_REPORT_FILE: env.string('bench-results/chaos-latest.md'),
  CHAOS_BENCHMARKS_FILE: env.string('BENCHMARKS.md'),
  /** Keep the temporary directory (logs, data) even when the run passes. */
  CHAOS_KEEP: env.boolean(false),
}

export function loadChaosConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(shape, source)
}

export type ChaosConfig = ReturnType<typeof loadChaosConfig>
