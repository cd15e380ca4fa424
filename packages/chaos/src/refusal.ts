/**
 * A queue Redis that evicts keys (small maxmemory, allkeys-lru: a common managed-Redis
 * default) must be refused: each service that uses the queue exits at start with an error
 * naming maxmemory-policy, instead of reporting ready and losing jobs later.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ChaosConfig } from './config.js'
import { JWT_SECRET, type Environment } from './environment.js'
import { startRedisServer } from '@event-analytics/ops/testing'
import { exited, isRunning, spawnLogged } from './infra/proc.js'
import { checkResult, type PhaseResult } from './summary.js'

const REFUSING = ['ingest-worker', 'aggregator', 'query-api'] as const

export async function evictingRedisRefused(
  repoRoot: string,
  env: Environment,
  config: ChaosConfig,
  progress: (line: string) => void,
): Promise<PhaseResult> {
  const started = Date.now()
  const name = 'Redis maxmemory 20mb + allkeys-lru: services refuse to start'
  progress(`▶ ${name}`)
  const redis = await startRedisServer({
    port: config.CHAOS_REDIS_PORT + 1,
    args: ['--maxmemory', '20mb', '--maxmemory-policy', 'allkeys-lru'],
    logFile: join(env.dir, 'redis-refusal.log'),
  })
  const problems: string[] = []
  try {
    for (const service of REFUSING) {
      const log = join(env.dir, `refusal-${service}.log`)
      const child = spawnLogged(process.execPath, ['--conditions=event-analytics-source', '--import', 'tsx', 'src/main.ts'], log, {
        cwd: join(repoRoot, 'packages', service),
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          DATABASE_URL: env.postgres.url,
          BULLMQ_PREFIX: `${env.run}-refusal`,
          LOG_LEVEL: 'info',
          INGEST_OPS_PORT: '0',
          AGGREGATOR_OPS_PORT: '0',
          API_PORT: '0',
          JWT_SECRET,
          KAFKA_BROKERS: env.kafka.brokers,
          CHANNEL_METRICS_ENABLED: 'false',
        },
      })
      const exit = await Promise.race([exited(child), sleep(60_000).then(() => undefined)])
      if (exit === undefined || isRunning(child)) {
        child.kill('SIGKILL')
        problems.push(`${service} kept running on an evicting Redis`)
        continue
      }
      const text = readFileSync(log, 'utf8')
      if (exit.code === 0) problems.push(`${service} exited 0 on an evicting Redis`)
      if (!/maxmemory-policy=allkeys-lru/.test(text)) problems.push(`${service} did not name maxmemory-policy in its error`)
      progress(
        `  ${service}: exit ${exit.code ?? exit.signal}${/maxmemory-policy=allkeys-lru/.test(text) ? ', named maxmemory-policy' : ''}`,
      )
    }
  } finally {
    await redis.stop()
  }
  return checkResult(name, REFUSING.length, problems, started)
}
