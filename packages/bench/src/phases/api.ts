/**
 * API: cached dashboard throughput next to a bare Fastify route (autocannon, loopback,
 * interleaved runs), and uncached one-year daily timeline latency on 8760 seeded hourly rows.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { cacheKeys } from '@event-analytics/contracts'
import { invalidateProjections, type ChangePublication } from '@event-analytics/ops'
import { addUtcMonths, closeDb, createDb, ensureTimelinePartitions, readTimeline, utcMonthStart } from '@event-analytics/db'
import { seedBenchChannels, seedBenchEvent, seedBenchTimeline } from '@event-analytics/db/bench'
import { Redis } from 'ioredis'
import type { BenchConfig } from '../config.js'
import { apiEnv, changesChannel, serviceNodeOptions } from '../env.js'
import { createPhase } from '../isolation.js'
import type { MemoryBook } from '../memory.js'
import { RESULTS_DIR } from '../paths.js'
import type { Progress } from '../progress.js'
import type { ApiResult, HttpRun } from '../results.js'
import { startService, type RunningService } from '../services.js'
import { summarize } from '../stats.js'
import { CHANNELS, newEventIds } from '../workload.js'
import { bestRun, getJson, loadRun, operatorToken } from './api-client.js'
import { freePort } from '@event-analytics/ops/testing'

const HOURS_PER_YEAR = 8760
const HOUR_MS = 3_600_000

async function seed(databaseUrl: string, eventId: string, progress: Progress): Promise<{ from: Date; to: Date }> {
  const db = createDb(databaseUrl, { poolSize: 2, applicationName: 'bench-seed' })
  try {
    const to = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS)
    const from = new Date(to.getTime() - (HOURS_PER_YEAR - 1) * HOUR_MS)
    progress.update(`seeding ${HOURS_PER_YEAR} hourly rows`)
    await ensureTimelinePartitions(db, utcMonthStart(from), addUtcMonths(utcMonthStart(to), 1))
    await seedBenchEvent(db, { eventId, userId: 'bench-owner', title: 'bench one-year event', createdAt: from })
    await seedBenchChannels(db, eventId, CHANNELS)
    const rows = Array.from({ length: HOURS_PER_YEAR }, (_, i) => ({
      timestamp: new Date(from.getTime() + i * HOUR_MS),
      participants: (i * 7) % 23,
      views: (i * 13) % 97,
    }))
    await seedBenchTimeline(db, eventId, rows)
    return { from, to }
  } finally {
    await closeDb(db)
  }
}

/**
 * One request after the entry was invalidated as the aggregator does it (guard, UNLINK, then the
 * announcement the API's in-process cache drops its copy on). The announcement reaches the API on
 * another connection than the request; a request that overtook it (x-cache hit) is not a sample
 * and is tried again.
 */
async function uncachedRequest(redis: Redis, key: string, changes: ChangePublication, url: string, token: string) {
  for (let attempt = 1; ; attempt += 1) {
    await invalidateProjections(redis, [key], changes)
    const t0 = performance.now()
    const response = await getJson<{ buckets?: unknown[] }>(url, token)
    const elapsed = performance.now() - t0
    if (response.cache !== 'hit' || attempt === 5) return { response, elapsed }
    await sleep(5)
  }
}

async function timelineLatencies(
  apiUrl: string,
  token: string,
  eventId: string,
  range: { from: Date; to: Date },
  config: BenchConfig,
  progress: Progress,
  channel: string,
) {
  const changes: ChangePublication = { channel, eventIds: [eventId] }
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 })
  const query = `granularity=day&tz=UTC&from=${range.from.toISOString()}&to=${range.to.toISOString()}`
  const url = `${apiUrl}/api/v1/events/${eventId}/analytics/timeline?${query}`
  const samples: number[] = []
  let buckets = 0
  try {
    const total = config.BENCH_TIMELINE_REQUESTS
    for (let i = -10; i < total; i += 1) {
      const { response, elapsed } = await uncachedRequest(redis, cacheKeys.timeline(eventId, 'day'), changes, url, token)
      if (response.status !== 200 || response.cache !== 'miss')
        throw new Error(`timeline answered ${response.status}, x-cache ${response.cache}`)
      buckets = Array.isArray(response.body.buckets) ? response.body.buckets.length : buckets
      if (i >= 0) samples.push(elapsed) // the first 10 warm the JIT and the connection pool
      progress.update(`timeline ${Math.max(i + 1, 0)}/${total}`)
    }
  } finally {
    redis.disconnect()
  }
  return { samples, buckets }
}

/** The same timeline query straight through Kysely: separates SQL time from HTTP/JSON time. */
async function timelineSqlLatencies(
  databaseUrl: string,
  eventId: string,
  range: { from: Date; to: Date },
  requests: number,
): Promise<number[]> {
  const db = createDb(databaseUrl, { poolSize: 1, applicationName: 'bench-timeline-sql' })
  const samples: number[] = []
  try {
    for (let i = -10; i < requests; i += 1) {
      const t0 = performance.now()
      await readTimeline(db, { eventId, unit: 'day', timeZone: 'UTC', from: range.from, to: range.to, maxBuckets: 1000 })
      if (i >= 0) samples.push(performance.now() - t0)
    }
  } finally {
    await closeDb(db)
  }
  return samples
}

export async function runApi(config: BenchConfig, progress: Progress, memory: MemoryBook): Promise<ApiResult> {
  progress.phase('api: seeding a bench database with one year of hourly rows')
  const phase = await createPhase(config, 'api', 13)
  const [eventId] = newEventIds(1) as [string]
  phase.trackEvents([eventId])
  const services: RunningService[] = []
  try {
    const range = await seed(phase.databaseUrl, eventId, progress)
    const apiPort = await freePort()
    const apiUrl = `http://127.0.0.1:${apiPort}`
    const api = await startService({
      pkg: 'query-api',
      label: 'api-query-api',
      env: apiEnv(config, phase, apiPort),
      readyUrl: `${apiUrl}/ready`,
    })
    services.push(api)
    const token = await operatorToken()
    const dashboardUrl = `${apiUrl}/api/v1/events/${eventId}/analytics`
    const warm = await getJson<unknown>(dashboardUrl, token)
    if (warm.status !== 200) throw new Error(`dashboard answered ${warm.status}`)
    mkdirSync(RESULTS_DIR, { recursive: true })
    const bodyFile = join(RESULTS_DIR, 'dashboard-body.json')
    writeFileSync(bodyFile, JSON.stringify(warm.body))
    const barePort = await freePort()
    const bare = await startService({
      pkg: 'bench',
      entry: 'bare-server',
      label: 'api-bare-fastify',
      // The API's V8 setting: the ratio compares the routes, not the settings.
      env: { BENCH_BARE_BODY_FILE: bodyFile, BENCH_BARE_PORT: String(barePort), NODE_OPTIONS: serviceNodeOptions(config) },
      readyUrl: `http://127.0.0.1:${barePort}/health`,
    })
    services.push(bare)
    const load = { connections: config.BENCH_API_CONNECTIONS, seconds: config.BENCH_API_SECONDS }
    const bareRuns: HttpRun[] = []
    const dashboardRuns: HttpRun[] = []
    for (let round = 1; round <= 2; round += 1) {
      progress.phase(`api: autocannon round ${round}/2 (bare route, then cached dashboard), ${config.BENCH_API_SECONDS} s each`)
      bareRuns.push(await loadRun(`http://127.0.0.1:${barePort}/bare`, token, load, bare.pid))
      dashboardRuns.push(await loadRun(dashboardUrl, token, load, api.pid))
      progress.done(
        `bare ${Math.round(bareRuns.at(-1)?.requestsPerSec ?? 0)} req/s, dashboard ${Math.round(dashboardRuns.at(-1)?.requestsPerSec ?? 0)} req/s`,
      )
    }
    progress.phase(`api: uncached one-year daily timeline, ${config.BENCH_TIMELINE_REQUESTS} sequential requests`)
    const timeline = await timelineLatencies(apiUrl, token, eventId, range, config, progress, changesChannel(phase))
    const timelineMs = summarize(timeline.samples)
    const timelineSqlMs = summarize(await timelineSqlLatencies(phase.databaseUrl, eventId, range, config.BENCH_TIMELINE_REQUESTS))
    progress.done(`p50 ${timelineMs.p50.toFixed(1)} ms, p99 ${timelineMs.p99.toFixed(1)} ms, ${timeline.buckets} buckets`)
    return {
      connections: config.BENCH_API_CONNECTIONS,
      seconds: config.BENCH_API_SECONDS,
      dashboard: bestRun(dashboardRuns),
      bare: bestRun(bareRuns),
      timelineRows: HOURS_PER_YEAR,
      timelineBuckets: timeline.buckets,
      timelineMs,
      timelineSqlMs,
    }
  } finally {
    if (services[0] !== undefined) await memory.record('query-api', 'api', services[0])
    await Promise.all(services.map((service) => service.stop()))
    await phase.cleanup()
  }
}
