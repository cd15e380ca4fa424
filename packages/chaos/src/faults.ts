/**
 * The faults. Each runs while the phase's slice of the stream is being produced and returns
 * how many times it struck plus anything it noticed (e.g. queued jobs lost by a restart).
 */
import type { Random } from '@event-analytics/simulator'
import type { Environment } from './environment.js'
import { sleep, waitFor } from './infra/proc.js'
import type { Service } from './services.js'
import { queueBacklog } from './watch.js'

export interface FaultOutcome {
  readonly injected: number
  readonly problems: string[]
  readonly notes: string[]
}

export type Fault = (env: Environment, random: Random) => Promise<FaultOutcome>

/** SIGKILL at random moments, restart after a random pause; `times` rounds. */
export function sigkill(pick: (env: Environment) => Service, times: number): Fault {
  return async (env, random) => {
    const service = pick(env)
    const notes: string[] = []
    for (let round = 0; round < times; round += 1) {
      await sleep(random.int(300, 1500))
      const exit = await service.kill()
      notes.push(`kill ${round + 1}: exit signal ${exit.signal ?? exit.code}`)
      await sleep(random.int(100, 800))
      await service.start()
    }
    return { injected: times, problems: [], notes }
  }
}

/**
 * Redis restart while jobs are queued: the aggregator is stopped first (so jobs pile up),
 * Redis is stopped with SIGTERM (AOF fsync on shutdown) and started again; every queued
 * job must still be there. The aggregator then resumes.
 */
export const redisRestart: Fault = async (env) => {
  await env.aggregator.stop()
  const queued = await waitFor('jobs queued in Redis', async () => {
    const backlog = await queueBacklog(env)
    return backlog >= 3 ? backlog : undefined
  }, 60_000, 200)
  await sleep(300)
  const before = await queueBacklog(env)
  await env.redis.stop()
  await sleep(3000)
  await env.redis.start()
  const after = await waitFor('the queue after the restart', () => queueBacklog(env), 30_000)
  const problems = after < before ? [`queued jobs lost by the Redis restart: ${before} before, ${after} after`] : []
  await sleep(1000)
  await env.aggregator.start()
  return { injected: 1, problems, notes: [`${queued}+ jobs queued at the stop (${before} just before, ${after} after the restart)`] }
}

/** PostgreSQL stopped (fast) mid-batch, kept down a few seconds, started again; `times` rounds. */
export function postgresRestart(times: number): Fault {
  return async (env, random) => {
    for (let round = 0; round < times; round += 1) {
      await sleep(random.int(500, 1500))
      await env.postgres.stop()
      await sleep(2500)
      await env.postgres.start()
    }
    return { injected: times, problems: [], notes: [] }
  }
}

/** The broker gets SIGTERM mid-stream, stays down a few seconds, starts again on the same storage. */
export const kafkaRestart: Fault = async (env, random) => {
  await sleep(random.int(500, 1500))
  await env.kafka.stop()
  await sleep(3000)
  await env.kafka.start()
  return { injected: 1, problems: [], notes: [] }
}
