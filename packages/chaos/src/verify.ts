/**
 * After a fault run: every table and every API figure compared with the ground truth of
 * everything produced so far. Differences are collected (not thrown) so the report lists them all.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Database } from '@event-analytics/db'
import type { GroundTruth } from '@event-analytics/simulator'
import type { Kysely } from 'kysely'
import {
  actualChannels,
  actualDashboard,
  actualHours,
  actualRoi,
  actualUser,
  expectedChannels,
  expectedDashboard,
  expectedHours,
  expectedRoi,
  expectedTables,
  expectedUser,
} from '@event-analytics/e2e'
import { readTables } from '@event-analytics/e2e'

export interface Mismatch {
  readonly what: string
  readonly detail: string
}

type Json = Record<string, unknown>
export type ApiGet = (url: string, sub: string) => Promise<{ status: number; body: unknown }>

/** First differing row of two lists, for a readable report. */
export function firstDifference(actual: readonly unknown[], expected: readonly unknown[]): string {
  if (actual.length !== expected.length) return `${actual.length} rows, expected ${expected.length}`
  const index = actual.findIndex((row, i) => !isDeepStrictEqual(row, expected[i]))
  return index < 0 ? '' : `row ${index}: got ${JSON.stringify(actual[index])}, expected ${JSON.stringify(expected[index])}`
}

export async function compareTables(db: Kysely<Database>, truth: GroundTruth): Promise<Mismatch[]> {
  const actual = await readTables(db)
  const wanted = expectedTables(truth)
  const out: Mismatch[] = []
  for (const table of ['events', 'channels', 'timeline'] as const) {
    if (!isDeepStrictEqual(actual[table], wanted[table]))
      out.push({ what: `table ${table}`, detail: firstDifference(actual[table], wanted[table]) })
  }
  return out
}

export async function compareApi(get: ApiGet, truth: GroundTruth): Promise<{ mismatches: Mismatch[]; requests: number }> {
  const out: Mismatch[] = []
  let requests = 0
  const check = async (url: string, sub: string, expected: unknown, pick: (body: Json) => unknown): Promise<void> => {
    requests += 1
    const { status, body } = await get(url, sub)
    if (status !== 200) return void out.push({ what: `GET ${url}`, detail: `status ${status}: ${JSON.stringify(body).slice(0, 300)}` })
    const actual = pick(body as Json)
    if (!isDeepStrictEqual(actual, expected))
      out.push({
        what: `GET ${url}`,
        detail: `got ${JSON.stringify(actual).slice(0, 400)}, expected ${JSON.stringify(expected).slice(0, 400)}`,
      })
  }
  for (const event of truth.events.filter((e) => e.visible)) {
    const base = `/api/v1/events/${event.eventId}/analytics`
    const sub = event.userId!
    await check(base, sub, expectedDashboard(truth, event), actualDashboard)
    await check(`${base}/channels`, sub, expectedChannels(truth, event.eventId), (body) => actualChannels(body['channels'] as Json[]))
    await check(`${base}/roi`, sub, expectedRoi(truth, event), actualRoi)
    const hours = truth.timeline.filter((h) => h.eventId === event.eventId)
    if (hours.length === 0) continue
    const range = `from=${new Date(hours[0]!.hour).toISOString()}&to=${new Date(hours.at(-1)!.hour).toISOString()}&tz=UTC`
    await check(`${base}/timeline?granularity=hour&${range}`, sub, expectedHours(hours), (body) => actualHours(body['buckets'] as Json[]))
  }
  for (const owner of truth.owners) {
    await check(`/api/v1/users/${owner.userId}/analytics?limit=100`, owner.userId, expectedUser(owner, truth), actualUser)
  }
  return { mismatches: out, requests }
}
