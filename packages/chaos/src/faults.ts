/**
 * The faults. Each runs while the phase's slice of the stream is being produced and returns
 * how many times it struck plus anything it noticed (e.g. queued jobs lost by a restart).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Random } from '@event-analytics/simulator'
import { Redis } from 'ioredis'
import type { Environment } from './environment.js'
import { waitFor } from './infra/proc.js'
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
 * Redis SIGKILLed while jobs are queued (the aggregator is stopped first, so they pile up)
 * and started again empty: without persistence every queued job is gone. The ingest worker
 * must notice and read those partitions again from Kafka; the phase's verification proves
 * nothing was lost.
 */
export const redisLossWhileQueued: Fault = async (env) => {
  await env.aggregator.stop()
  const queued = await waitFor(
    'jobs queued in Redis',
    async () => {
      const backlog = await queueBacklog(env)
      return backlog >= 3 ? backlog : undefined
    },
    60_000,
    200,
  )
  await sleep(300)
  const before = await queueBacklog(env)
  await env.redis.kill()
  await sleep(2000)
  await env.redis.restart()
  const after = await waitFor('the queue after the restart', () => queueBacklog(env), 30_000)
  await sleep(1000)
  await env.aggregator.start()
  return {
    injected: 1,
    problems: [],
    notes: [`${queued}+ jobs queued at the kill (${before} just before, ${after} right after the empty restart)`],
  }
}

/** Redis SIGKILLed at random moments while the aggregator is applying, started again empty; `times` rounds. */
export function redisLossWhileBusy(times: number): Fault {
  return async (env, random) => {
    for (let round = 0; round < times; round += 1) {
      await sleep(random.int(800, 2000))
      await env.redis.kill()
      await sleep(random.int(500, 2000))
      await env.redis.restart()
    }
    return { injected: times, problems: [], notes: [] }
  }
}

/** FLUSHALL at random moments mid-stream; `times` rounds. */
export function flushAll(times: number): Fault {
  return async (env, random) => {
    const notes: string[] = []
    for (let round = 0; round < times; round += 1) {
      await sleep(random.int(300, 1000))
      // Strike while jobs wait or run (the aggregator drains fast): poll briefly for one.
      const deadline = Date.now() + 10_000
      let backlog = await queueBacklog(env)
      while (backlog === 0 && Date.now() < deadline) {
        await sleep(10)
        backlog = await queueBacklog(env)
      }
      const client = new Redis(env.redis.url, { maxRetriesPerRequest: 3 })
      try {
        await client.flushall()
      } finally {
        client.disconnect()
      }
      notes.push(`flush ${round + 1}: ${backlog} job(s) waiting or active`)
    }
    return { injected: times, problems: [], notes }
  }
}

/** Two more ingest workers join the group mid-stream, then leave (SIGTERM): 1 -> 3 -> 1, two rebalances each way. */
export const scaleIngest: Fault = async (env, random) => {
  await sleep(random.int(300, 800))
  const extra = [env.extraIngest(1), env.extraIngest(2)]
  await Promise.all(extra.map((service) => service.start()))
  await sleep(random.int(3000, 5000))
  const exits = await Promise.all(extra.map((service) => service.stop()))
  const problems = exits
    .filter((exit) => exit?.code !== 0)
    .map((exit) => `an extra ingest worker exited with ${exit?.code ?? exit?.signal}`)
  return { injected: 2, problems, notes: ['scaled 1 -> 3 -> 1'] }
}

/** No fault: the run is about its input. */
export const noFault: Fault = async () => ({ injected: 0, problems: [], notes: [] })

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
