/**
 * One owner hammering distinct timeline ranges: every request a `from` no
 * one asked for before, so a cache without a bound would store each answer. Measures what the
 * cache Redis holds afterwards; the run compares it with the API's cap
 * (`cappedKeyMemoryBound` of CACHE_KEY_MAX_BYTES and CACHE_HASH_MAX_FIELDS).
 *
 * The chaos run calls `timelineHammerRun` after its fault runs, against its own API and Redis.
 */
import { cacheKeys } from '@event-analytics/contracts'
import { HASH_SIZE_FIELD, cappedKeyMemoryBound, type FillLimits } from '@event-analytics/ops'
import type { TimelineGranularity } from '@event-analytics/contracts'
import { checkResult, type PhaseResult } from './summary.js'
import type { Redis } from 'ioredis'

const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000

export interface TimelineHammer {
  /** The API's origin, e.g. http://127.0.0.1:3000 (the /api/v1 prefix is added). */
  readonly apiBaseUrl: string
  /** The owner's bearer token. */
  readonly token: string
  readonly eventId: string
  /** A client of the cache Redis, without a key prefix. */
  readonly redis: Redis
  /** Distinct ranges to ask for; default 500 (past CACHE_HASH_MAX_FIELDS' default of 256). */
  readonly requests?: number
  /** Hours each range spans; default 720 (30 days of hour buckets, ~160 kB an answer). */
  readonly spanHours?: number
  /** Requests in flight at once; default 8. */
  readonly concurrency?: number
  /** Where the ranges end; default the current hour. */
  readonly end?: Date
}

export interface TimelineHammerResult {
  readonly requests: number
  /** Answers other than 200 (none expected: past the cap answers are served uncached). */
  readonly failed: number
  /** Bytes of the 200 answers: what an unbounded cache would have stored. */
  readonly answerBytes: number
  /** MEMORY USAGE (all samples) of the event's hour-timeline key; 0 when absent. */
  readonly keyMemoryBytes: number
  /** The key's own count of field and value bytes (the cap's measure). */
  readonly countedBytes: number
  /** Cached ranges (fields besides the byte count). */
  readonly fields: number
  /** used_memory of the cache Redis after minus before (other clients' writes included). */
  readonly usedMemoryDelta: number
}

const GRANULARITY: TimelineGranularity = 'hour'

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory')
  const match = /^used_memory:(\d+)/m.exec(info)
  if (match?.[1] === undefined) throw new Error('INFO memory has no used_memory')
  return Number(match[1])
}

/** Sends `requests` timeline requests with distinct `from` and measures the cache key they fill. */
export async function hammerTimelineRanges(options: TimelineHammer): Promise<TimelineHammerResult> {
  const requests = options.requests ?? 500
  const spanHours = options.spanHours ?? 720
  const concurrency = options.concurrency ?? 8
  const end = Math.floor((options.end ?? new Date()).getTime() / HOUR_MS) * HOUR_MS
  const key = cacheKeys.timeline(options.eventId, GRANULARITY)
  const before = await usedMemory(options.redis)

  let next = 0
  let failed = 0
  let answerBytes = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < requests; i = next++) {
      // A minute apart: each `from` resolves to a new instant, and so to a new cache field.
      const from = new Date(end - spanHours * HOUR_MS + i * MINUTE_MS).toISOString()
      const query = new URLSearchParams({ granularity: GRANULARITY, tz: 'UTC', from, to: new Date(end).toISOString() })
      const response = await fetch(
        `${options.apiBaseUrl}/api/v1/events/${encodeURIComponent(options.eventId)}/analytics/timeline?${query}`,
        {
          headers: { authorization: `Bearer ${options.token}` },
        },
      )
      const body = await response.arrayBuffer()
      if (response.status === 200) answerBytes += body.byteLength
      else failed += 1
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker))

  const [memory, counted, length] = await Promise.all([
    options.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'),
    options.redis.hget(key, HASH_SIZE_FIELD),
    options.redis.hlen(key),
  ])
  return {
    requests,
    failed,
    answerBytes,
    keyMemoryBytes: Number(memory ?? 0),
    countedBytes: Number(counted ?? 0),
    fields: Math.max(0, length - (counted === null ? 0 : 1)),
    usedMemoryDelta: (await usedMemory(options.redis)) - before,
  }
}

/** The chaos run's row: one owner hammers distinct ranges; the key must stay within the API's cap. */
export async function timelineHammerRun(
  options: Omit<TimelineHammer, 'requests'> & { readonly requests: number; readonly limits: FillLimits },
  progress: (line: string) => void,
): Promise<PhaseResult> {
  const started = Date.now()
  const name = `one owner hammers ${options.requests} distinct timeline ranges`
  progress(`▶ ${name}`)
  const result = await hammerTimelineRanges(options)
  const bound = cappedKeyMemoryBound(options.limits)
  const problems: string[] = []
  if (result.failed > 0) problems.push(`${result.failed} timeline request(s) failed`)
  if (result.keyMemoryBytes > bound) problems.push(`the timeline key holds ${result.keyMemoryBytes} B, over its bound of ${bound} B`)
  progress(
    `  ${result.answerBytes} B answered, key ${result.keyMemoryBytes} B (bound ${bound} B, ${result.fields} ranges cached), Redis used_memory +${result.usedMemoryDelta} B`,
  )
  // The figures go into the row's name: BENCHMARKS.md shows what the cap held, not only a pass.
  const figures = `key ${kib(result.keyMemoryBytes)} of a ${kib(bound)} bound, Redis +${kib(result.usedMemoryDelta)} for ${kib(result.answerBytes)} answered`
  return checkResult(`${name} (${figures})`, result.requests, problems, started)
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`
}
