/**
 * The rebuild tool's own variables. The pipeline it runs reads the same environment as the live
 * services (ingest worker and aggregator variables: brokers, topics, Redis, PostgreSQL), with the
 * rebuild's names (naming.ts) laid over it.
 */
import { doc, env, loadConfig, processVariables, type ServiceConfigSchema } from '@event-analytics/ops'

const shape = {
  // The run closes an ingest worker and an aggregator: the services' own bound on that.
  SHUTDOWN_TIMEOUT_MS: processVariables.SHUTDOWN_TIMEOUT_MS,
  REBUILD_OPS_PORT: doc(env.port(9105), 'Port of the rebuild run\u2019s /health, /ready and /metrics (progress, lag per partition, ETA).'),
  REBUILD_OPS_HOST: doc(env.string('127.0.0.1'), 'Interface of the rebuild run\u2019s ops port.'),
  REBUILD_CAUGHT_UP_LAG: doc(
    env.integer(1000, 0),
    'A rebuild counts as caught up (state `ready`) when its lag is at most the live group\u2019s lag plus this many messages; `switch` refuses a set further behind unless --force.',
  ),
  REBUILD_NICE: doc(
    env.integer(10, 0, 19),
    'Scheduling priority the run lowers itself to (nice): when the machine is short of CPU, the live pipeline gets it first.',
  ),
  REBUILD_MAX_MESSAGES_PER_SECOND: doc(
    env.integer(3000, 0),
    'Average ceiling on what the run reads, messages a second (0: none): the PostgreSQL, Redis and Kafka work it causes is not niced, so this keeps the live pipeline\u2019s freshness while it runs.',
  ),
  REBUILD_PROGRESS_INTERVAL_MS: doc(env.integer(1000, 100, 60_000), 'How often the run reads its progress from Kafka.', { internal: true }),
}

export const rebuildConfigSchema = { service: 'rebuild', shape } satisfies ServiceConfigSchema

export function loadRebuildConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(shape, source)
}

export type RebuildConfig = ReturnType<typeof loadRebuildConfig>
