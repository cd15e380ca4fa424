/** Minimal client of the real query-api used by the freshness and API phases. */
import autocannon from 'autocannon'
import { signDevToken } from '@event-analytics/query-api'
import { BENCH_JWT_SECRET } from '../env.js'
import { clockTicksPerSecond, readProcCpu } from '../proc-cpu.js'
import type { HttpRun } from '../results.js'

export async function operatorToken(): Promise<string> {
  return signDevToken(BENCH_JWT_SECRET, { sub: 'bench', operator: true, ttlSeconds: 3600 })
}

export interface DashboardBody {
  summary: { totalParticipants: number }
}

export async function getJson<T>(url: string, token: string): Promise<{ status: number; cache: string | null; body: T }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  const body = (await response.json()) as T
  return { status: response.status, cache: response.headers.get('x-cache'), body }
}

export interface Load {
  connections: number
  seconds: number
}

/** One autocannon run against `url` (as `token`'s bearer, if any), and the CPU time the process `pid` spent answering it. */
export async function loadRun(url: string, token: string | undefined, load: Load, pid: number): Promise<HttpRun> {
  const before = readProcCpu(pid)
  const result = await autocannon({
    url,
    connections: load.connections,
    duration: load.seconds,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  })
  const after = readProcCpu(pid)
  const answered = result.requests.total
  const cpuMicrosPerRequest =
    before === null || after === null || answered === 0 ? null : ((after.ticks - before.ticks) / clockTicksPerSecond() / answered) * 1e6
  return {
    cpuMicrosPerRequest,
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

/** The run with the highest rate: the least disturbed by whatever else shared the cores. */
export const bestRun = (runs: readonly HttpRun[]): HttpRun => runs.reduce((a, b) => (b.requestsPerSec > a.requestsPerSec ? b : a))
