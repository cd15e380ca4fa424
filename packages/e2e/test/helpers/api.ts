/** Reads through the API and production in stream order, shared by the end-to-end tests. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import type { DomainEvent } from '@event-analytics/contracts'
import type { EventTruth, GroundTruth, GroundTruthBuilder } from '@event-analytics/simulator'
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
  expectedUser,
} from '../../src/index.js'
import { type Pipeline } from './pipeline.js'

const CHUNK = 250

export async function get(pipeline: Pipeline, url: string, token: string) {
  const response = await pipeline.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
  if (response.statusCode !== 200) throw new Error(`GET ${url} -> ${response.statusCode}: ${response.body}`)
  return { body: response.json() as Record<string, unknown>, cache: response.headers['x-cache'] }
}

export async function produce(pipeline: Pipeline, events: readonly DomainEvent[]): Promise<void> {
  // In stream order, one acknowledged chunk at a time, so "sent before" really is earlier in Kafka.
  for (let index = 0; index < events.length; index += CHUNK) await pipeline.producer.send(events.slice(index, index + CHUNK))
}

/** Every view of every visible event and every owner's summary equals the ground truth. */
export async function assertApi(t: Test, pipeline: Pipeline, truth: GroundTruth): Promise<void> {
  for (const event of truth.events.filter((e) => e.visible)) {
    const token = await pipeline.token(event.userId!)
    const base = `/api/v1/events/${event.eventId}/analytics`
    t.same(actualDashboard((await get(pipeline, base, token)).body), expectedDashboard(truth, event), `dashboard of ${event.eventId}`)
    const channels = (await get(pipeline, `${base}/channels`, token)).body['channels'] as Record<string, unknown>[]
    t.same(actualChannels(channels), expectedChannels(truth, event.eventId), `channels of ${event.eventId}`)
    t.same(actualRoi((await get(pipeline, `${base}/roi`, token)).body), expectedRoi(truth, event), `roi of ${event.eventId}`)
    const hours = truth.timeline.filter((h) => h.eventId === event.eventId)
    const range = `from=${new Date(hours[0]!.hour).toISOString()}&to=${new Date(hours.at(-1)!.hour).toISOString()}&tz=UTC`
    const timeline = (await get(pipeline, `${base}/timeline?granularity=hour&${range}`, token)).body
    t.same(actualHours(timeline['buckets'] as Record<string, unknown>[]), expectedHours(hours), `hour timeline of ${event.eventId}`)
  }
  for (const owner of truth.owners) {
    const token = await pipeline.token(owner.userId)
    const { body } = await get(pipeline, `/api/v1/users/${owner.userId}/analytics?limit=100`, token)
    t.same(actualUser(body), expectedUser(owner, truth), `summary of ${owner.userId}`)
  }
}

/**
 * Produces `more` for `event` (already shown, and cached, at `url`), then polls the dashboard as a
 * page would until it shows them: the invalidation reached the cache, not its 1 h TTL. The
 * dashboard must then equal the new ground truth.
 */
export async function assertNewParticipantsShown(
  t: Test,
  pipeline: Pipeline,
  truth: GroundTruthBuilder,
  event: EventTruth,
  more: readonly DomainEvent[],
  url: string,
  token: string,
): Promise<void> {
  await produce(pipeline, more)
  for (const item of more) truth.add(item)
  const updated = truth.result()
  const target = updated.events.find((e) => e.eventId === event.eventId)!
  const deadline = Date.now() + 120_000
  let seen = event.totalParticipants
  while (seen !== target.totalParticipants && Date.now() < deadline) {
    await sleep(250)
    seen = ((await get(pipeline, url, token)).body['summary'] as { totalParticipants: number }).totalParticipants
  }
  t.equal(seen, target.totalParticipants, `the dashboard shows the ${more.length} new participants`)
  t.same(actualDashboard((await get(pipeline, url, token)).body), expectedDashboard(updated, target), 'and equals the new ground truth')
}
