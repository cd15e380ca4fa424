/**
 * The switch between projection sets, and what it must be followed by: every cached projection of
 * either set dropped and announced, so the API's caches refill from the new set and open streams
 * push its figures. Refused (unless forced) when no pipeline writes the target set or it is
 * behind the live one: the set would stop following the topics, or go back in time, once live.
 */
import { keysToInvalidate } from '@event-analytics/contracts'
import { PUBLIC_SET, listProjectionSets, setShapeDifferences, switchLiveSet, type Database, type SwitchResult } from '@event-analytics/db'
import { invalidateProjections, retry, type RedisClient } from '@event-analytics/ops'
import type { Admin } from 'kafkajs'
import type { Kysely } from 'kysely'
import { readOffsets } from './kafka.js'
import { rebuildNames, type LiveNames } from './naming.js'
import { progressOf } from './progress.js'

/** Events per invalidation round (their keys, then one announcement). */
const INVALIDATE_EVENTS = 500

export interface SwitchDeps {
  readonly db: Kysely<Database>
  readonly cache: RedisClient
  readonly changesChannel: string
  readonly admin: Admin
  readonly live: LiveNames
  readonly topics: readonly string[]
  readonly caughtUpLag: number
}

/** The consumer group that writes `set`: the live services' for public, the rebuild's otherwise. */
export function groupOf(set: string, live: LiveNames): string {
  return set === PUBLIC_SET ? live.groupId : rebuildNames(set, live).groupId
}

/** Why switching to `to` is unsafe now, or undefined. */
export async function switchRefusal(deps: SwitchDeps, to: string): Promise<string | undefined> {
  const sets = await listProjectionSets(deps.db)
  const target = sets.find((set) => set.name === to)
  const current = sets.find((set) => set.live)
  if (target === undefined) return `no projection set "${to}" (pnpm run rebuild list)`
  if (current === undefined || current.name === to) return `"${to}" is already live`
  if (to !== PUBLIC_SET) {
    const shape = await setShapeDifferences(deps.db, to)
    if (shape.length > 0) return `"${to}" is not shaped like this release's tables (${shape.join('; ')}): rebuild into a new set`
  }
  const group = groupOf(to, deps.live)
  const [description] = (await deps.admin.describeGroups([group])).groups
  if (description === undefined || description.members.length === 0) {
    return `no pipeline writes "${to}" (group ${group} has no member): start it first (pnpm run rebuild run --set ${to}, or the services with pnpm run rebuild env ${to})`
  }
  const targetLag = progressOf(await readOffsets(deps.admin, group, deps.topics)).lag
  const liveLag = progressOf(await readOffsets(deps.admin, groupOf(current.name, deps.live), deps.topics)).lag
  if (targetLag > liveLag + deps.caughtUpLag) {
    return `"${to}" is ${targetLag} messages behind (live: ${liveLag}); wait until it caught up (pnpm run rebuild status ${to})`
  }
  return undefined
}

/** Switches, then invalidates and announces every event of either set. */
export async function switchAndInvalidate(deps: SwitchDeps, to: string): Promise<SwitchResult> {
  const result = await switchLiveSet(deps.db, to)
  for (let start = 0; start < result.events.length; start += INVALIDATE_EVENTS) {
    const events = result.events.slice(start, start + INVALIDATE_EVENTS)
    // Committed already: a Redis that does not answer must not leave the old set's figures cached for their TTL.
    await retry(
      () =>
        invalidateProjections(deps.cache, [...new Set(events.flatMap((event) => keysToInvalidate(event)))], {
          channel: deps.changesChannel,
          eventIds: events.map((event) => event.eventId),
        }),
      { deadlineMs: 60_000, backoff: { initialMs: 100, factor: 2, maxMs: 5000 } },
    )
  }
  return result
}

/** The set a rollback returns to: the one switched away from most recently. */
export async function rollbackTarget(db: Kysely<Database>): Promise<string | undefined> {
  const retired = (await listProjectionSets(db)).filter((set) => set.state === 'retired' && set.switchedAt !== null)
  retired.sort((a, b) => (b.switchedAt?.getTime() ?? 0) - (a.switchedAt?.getTime() ?? 0))
  return retired[0]?.name
}
