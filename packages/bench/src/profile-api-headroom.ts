/**
 * API headroom profile: `pnpm --filter @event-analytics/bench run profile:api-headroom`.
 *
 * How much JavaScript per request the cached/bare target leaves a route. The bare route
 * (bare-server.ts) answers with PROFILE_WORK_MICROS of busy work added to each request
 * (`0,1,2,4,8,16` by default), each as its own process, loaded by autocannon as the api phase
 * loads it (PROFILE_CONNECTIONS connections, PROFILE_SECONDS per run, PROFILE_ROUNDS rounds
 * interleaved, the best run of each kept). Prints req/s, the ratio to the route without added
 * work, and the answering process's CPU per request (/proc).
 *
 * The route and the load generator share the machine's cores, so what a request costs is not
 * only its own work: read the CPU column against the work column.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { env, loadConfig, SERVICE_NODE_OPTIONS } from '@event-analytics/ops'
import { freePort } from '@event-analytics/ops/testing'
import { bestRun, loadRun } from './phases/api-client.js'
import { RESULTS_DIR } from './paths.js'
import type { HttpRun } from './results.js'
import { startService, type RunningService } from './services.js'

const settings = loadConfig(
  {
    PROFILE_WORK_MICROS: env.list('0,1,2,4,8,16'),
    PROFILE_CONNECTIONS: env.integer(16, 1),
    PROFILE_SECONDS: env.integer(8, 1),
    PROFILE_ROUNDS: env.integer(2, 1),
  },
  process.env,
)

/** About 1 kB of JSON shaped like the dashboard's body (an event and its channels; the dashboard's own is about 1.5 kB). */
function dashboardLikeBody(): unknown {
  const channels = Array.from({ length: 6 }, (_, i) => ({
    channelName: `channel-${i}`,
    channelType: 'SNS',
    participants: 1_000 + i,
    views: 20_000 + i,
    investment: '250000.00',
    conversionRate: '5.00',
    costPerParticipant: '250.00',
  }))
  return { event: { eventId: '03210d3d-3b5c-4fa3-9671-93ca768e6b00', title: 'headroom', status: 'ACTIVE' }, channels }
}

interface Route {
  workMicros: number
  service: RunningService
  url: string
  runs: HttpRun[]
}

async function startRoute(workMicros: number, bodyFile: string): Promise<Route> {
  const port = await freePort()
  const service = await startService({
    pkg: 'bench',
    entry: 'bare-server',
    label: `api-headroom-${workMicros}us`,
    env: {
      BENCH_BARE_BODY_FILE: bodyFile,
      BENCH_BARE_PORT: String(port),
      BENCH_BARE_WORK_MICROS: String(workMicros),
      NODE_OPTIONS: SERVICE_NODE_OPTIONS,
    },
    readyUrl: `http://127.0.0.1:${port}/health`,
  })
  return { workMicros, service, url: `http://127.0.0.1:${port}/bare`, runs: [] }
}

async function main(): Promise<void> {
  const work = settings.PROFILE_WORK_MICROS.map(Number)
  const invalid = work.filter((micros) => !Number.isFinite(micros) || micros < 0)
  if (invalid.length > 0 || work[0] !== 0) throw new Error('PROFILE_WORK_MICROS: non-negative numbers, the first 0 (the baseline)')
  mkdirSync(RESULTS_DIR, { recursive: true })
  const bodyFile = join(RESULTS_DIR, 'headroom-body.json')
  writeFileSync(bodyFile, JSON.stringify(dashboardLikeBody()))
  const routes: Route[] = []
  try {
    for (const micros of work) routes.push(await startRoute(micros, bodyFile))
    const load = { connections: settings.PROFILE_CONNECTIONS, seconds: settings.PROFILE_SECONDS }
    for (let round = 1; round <= settings.PROFILE_ROUNDS; round += 1) {
      for (const route of routes) {
        route.runs.push(await loadRun(route.url, undefined, load, route.service.pid))
        process.stderr.write(`round ${round}: ${route.workMicros} µs added: ${Math.round(route.runs.at(-1)?.requestsPerSec ?? 0)} req/s\n`)
      }
    }
    const baseline = bestRun(routes[0]?.runs ?? [])
    const lines = [
      `bare route, ${load.connections} connections, ${load.seconds} s per run, best of ${settings.PROFILE_ROUNDS} interleaved runs`,
      '| work added per request | req/s | vs no work added | CPU-µs per request (route process) |',
      '|---|---|---|---|',
      ...routes.map((route) => {
        const run = bestRun(route.runs)
        const cpu = run.cpuMicrosPerRequest === null ? 'n/a' : run.cpuMicrosPerRequest.toFixed(1)
        return `| ${route.workMicros} µs | ${Math.round(run.requestsPerSec).toLocaleString('en-US')} | ${(run.requestsPerSec / baseline.requestsPerSec).toFixed(2)}x | ${cpu} |`
      }),
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    await Promise.all(routes.map((route) => route.service.stop()))
  }
}

await main()
