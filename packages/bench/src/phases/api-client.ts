/** Minimal client of the real query-api used by the freshness and API phases. */
import { signDevToken } from '@event-analytics/query-api'
import { BENCH_JWT_SECRET } from '../env.js'

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
