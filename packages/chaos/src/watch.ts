/** Producing with retries, waiting for the pipeline to settle, reading the API like a client. */
import { setTimeout as sleep } from 'node:timers/promises'
import { retry, type RetryOptions } from '@event-analytics/ops'
import type { DomainEvent } from '@event-analytics/contracts'
import { signDevToken } from '@event-analytics/query-api'
import type { GroundTruthBuilder } from '@event-analytics/simulator'
import { JWT_SECRET, type Environment } from './environment.js'

import { tablesFingerprint } from '@event-analytics/e2e'
import type { ApiGet } from './verify.js'

/** A send failing while the broker restarts: tried again every 500 ms for up to 2 minutes. */
const SEND_RETRY = {
  attempts: Infinity,
  deadlineMs: 120_000,
  backoff: { initialMs: 500, factor: 1, jitter: false },
} as const satisfies RetryOptions

/**
 * Sends in stream order, `chunk` events at a time with a pause between chunks, so faults land
 * mid-stream. A failed send (broker restarting) is retried: a resend can only duplicate
 * messages, which the pipeline must drop. The truth learns an event once it was acknowledged.
 */
export async function produce(
  env: Environment,
  truth: GroundTruthBuilder,
  events: readonly DomainEvent[],
  chunk = 40,
  pauseMs = 60,
): Promise<void> {
  for (let index = 0; index < events.length; index += chunk) {
    const slice = events.slice(index, index + chunk)
    await retry(() => env.producer.send(slice), SEND_RETRY)
    for (const event of slice) truth.add(event)
    await sleep(pauseMs)
  }
}

async function consumerLag(env: Environment): Promise<number> {
  const topics = Object.values(env.topics)
  const committed = await env.admin.fetchOffsets({ groupId: env.groupId, topics })
  let lag = 0
  for (const topic of topics) {
    const high = await env.admin.fetchTopicOffsets(topic)
    const done = committed.find((entry) => entry.topic === topic)?.partitions ?? []
    for (const partition of high) {
      const offset = Number(done.find((entry) => entry.partition === partition.partition)?.offset ?? '-1')
      lag += Number(partition.high) - Math.max(0, offset)
    }
  }
  return lag
}

export async function queueBacklog(env: Environment): Promise<number> {
  const counts = await env.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')
  return Object.values(counts).reduce((sum, count) => sum + count, 0)
}

/** Consumer caught up, queue empty, tables unchanged over two looks. */
export async function waitUntilIdle(env: Environment, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let previous = ''
  let progress = ''
  while (Date.now() < deadline) {
    try {
      const lag = await consumerLag(env)
      const backlog = await queueBacklog(env)
      const current = await tablesFingerprint(env.db)
      progress = `lag ${lag}, queue ${backlog}, tables ${current}`
      if (lag === 0 && backlog === 0 && current === previous) return
      previous = lag === 0 && backlog === 0 ? current : ''
    } catch (error) {
      progress = `probe failed: ${String(error)}`
      previous = ''
    }
    await sleep(700)
  }
  throw new Error(`pipeline not idle after ${timeoutMs} ms (${progress})`)
}

export function apiClient(env: Environment): { get: ApiGet; token(sub: string, operator?: boolean): Promise<string> } {
  const tokens = new Map<string, Promise<string>>()
  const token = (sub: string, operator = false): Promise<string> => {
    const key = `${sub}|${operator}`
    let value = tokens.get(key)
    if (value === undefined) {
      value = signDevToken(JWT_SECRET, { sub, operator, ttlSeconds: 3600 })
      tokens.set(key, value)
    }
    return value
  }
  return {
    token,
    async get(url, sub) {
      const response = await fetch(`http://127.0.0.1:${env.apiPort}${url}`, {
        headers: { authorization: `Bearer ${await token(sub)}` },
        signal: AbortSignal.timeout(10_000),
      })
      const text = await response.text()
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        /* not JSON: kept as text for the report */
      }
      return { status: response.status, body }
    },
  }
}
