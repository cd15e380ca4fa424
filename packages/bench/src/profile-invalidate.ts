/**
 * Cache-invalidation profile: `pnpm --filter @event-analytics/bench run profile:invalidate`.
 *
 * What an aggregator batch does to the cache after its commit, alone: `invalidateProjections`
 * of PROFILE_KEYS keys (spread over PROFILE_EVENTS hash tags, as a batch's events spread them)
 * with a change announcement, PROFILE_ROUNDS times, on the cache Redis (REDIS_URL). Prints the
 * wall time and the CPU of this process (the client) and of the Redis server (/proc, so Redis
 * must run on this machine) per key. Keys live under `analytics:profile-invalidate:`, guards too;
 * both are removed at the end.
 */
import { performance } from 'node:perf_hooks'
import { Redis } from 'ioredis'
import { env, invalidateProjections, loadConfig } from '@event-analytics/ops'
import { processCpuMicros } from './proc-cpu.js'

const settings = loadConfig(
  {
    REDIS_URL: env.url('redis://127.0.0.1:6379'),
    PROFILE_KEYS: env.integer(2_000, 1),
    PROFILE_EVENTS: env.integer(200, 1),
    PROFILE_ROUNDS: env.integer(300, 1),
  },
  process.env,
)

const KEY_PREFIX = 'analytics:profile-invalidate:'

async function main(): Promise<void> {
  const redis = new Redis(settings.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  try {
    const serverPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1])
    const keys = Array.from({ length: settings.PROFILE_KEYS }, (_, i) => `${KEY_PREFIX}{evt-${i % settings.PROFILE_EVENTS}}:k${i}`)
    const publish = { channel: `${KEY_PREFIX}changes`, eventIds: ['evt-0'] }
    for (let round = 0; round < 20; round += 1) await invalidateProjections(redis, keys, publish) // warm-up

    const serverBefore = processCpuMicros(serverPid)
    const clientBefore = process.cpuUsage()
    const started = performance.now()
    for (let round = 0; round < settings.PROFILE_ROUNDS; round += 1) await invalidateProjections(redis, keys, publish)
    const wallMs = performance.now() - started
    const client = process.cpuUsage(clientBefore)
    const serverMicros = processCpuMicros(serverPid) - serverBefore

    const perKey = (micros: number) => (micros / (settings.PROFILE_ROUNDS * keys.length)).toFixed(2)
    process.stdout.write(
      `${settings.PROFILE_ROUNDS} rounds of ${keys.length} keys (${settings.PROFILE_EVENTS} hash tags), per key: ` +
        `wall ${perKey(wallMs * 1000)} µs, client ${perKey(client.user + client.system)} CPU-µs, ` +
        `Redis ${perKey(serverMicros)} CPU-µs\n`,
    )
  } finally {
    const leftovers = [...(await redis.keys(`${KEY_PREFIX}*`)), ...(await redis.keys(`analytics-guard:${KEY_PREFIX}*`))]
    for (let start = 0; start < leftovers.length; start += 1_000) await redis.unlink(...leftovers.slice(start, start + 1_000))
    redis.disconnect()
  }
}

await main()
