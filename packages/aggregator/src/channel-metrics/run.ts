/**
 * One refresh run over every typed channel of every ACTIVE visible event. Each provider gets
 * its own promise pool, and the pools run side by side: a slow or failing provider only
 * delays its own channels (and its breaker soon makes those fail fast).
 */
import { keysToInvalidate } from '@event-analytics/contracts'
import { invalidateProjections, type Logger, type RedisClient } from '@event-analytics/ops'
import { storeChannelSnapshot, listRefreshTargets } from '@event-analytics/db'
import type { ChannelTypeValue, Database, RefreshTarget } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import type { ProviderBreakers } from './breaker.js'
import { failureKind, fetchThroughBreaker, metricsUrl } from './client.js'
import { CHANNEL_TYPES } from './config.js'
import type { ChannelMetricsConfig } from './config.js'
import type { ChannelMetricsMetrics } from './metrics.js'
import { checkProgress, validateSnapshot } from './validate-snapshot.js'

export interface RefreshDeps {
  readonly db: Kysely<Database>
  readonly cache: RedisClient
  readonly changesChannel: string
  readonly config: ChannelMetricsConfig
  readonly breakers: ProviderBreakers
  readonly metrics: ChannelMetricsMetrics
  readonly logger: Logger
  readonly now?: () => Date
}

export type RefreshOutcome = 'applied' | 'rejected' | 'failed' | 'skipped'
export type ProviderSummary = Record<RefreshOutcome, number>
export type RefreshSummary = Record<ChannelTypeValue, ProviderSummary>

export async function runRefresh(deps: RefreshDeps): Promise<RefreshSummary> {
  const targets = await listRefreshTargets(deps.db)
  const runs = CHANNEL_TYPES.map(async (type) => {
    const mine = targets.filter((target) => target.channelType === type)
    const summary: ProviderSummary = { applied: 0, rejected: 0, failed: 0, skipped: 0 }
    await pool(mine, deps.config.concurrency, async (target) => {
      summary[await refreshChannel(deps, target)] += 1
    })
    return [type, summary] as const
  })
  const summary = Object.fromEntries(await Promise.all(runs)) as RefreshSummary
  deps.logger.info({ summary }, 'channel metrics refreshed')
  return summary
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const runner = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T
      next += 1
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, runner))
}

async function refreshChannel(deps: RefreshDeps, target: RefreshTarget): Promise<RefreshOutcome> {
  const provider = target.channelType
  const where = { provider, eventId: target.eventId, channelName: target.channelName }
  const done = deps.metrics.refreshSeconds.startTimer({ provider })
  try {
    let body: unknown
    const kinds: string[] = []
    try {
      body = await fetchThroughBreaker(deps.breakers[provider], metricsUrl(deps.config.baseUrls[provider], target), {
        ...deps.config,
        onAttemptFailure: (error) => {
          const kind = failureKind(error)
          kinds.push(kind)
          deps.metrics.fetchFailures.inc({ provider, kind })
        },
      })
    } catch (error) {
      // Rejected at once by an open breaker: every channel of the provider would log the same
      // line; the transition itself is logged once (breaker.ts).
      if (kinds.every((kind) => kind === 'breaker-open')) deps.logger.debug(where, 'channel metrics skipped: breaker open')
      else deps.logger.warn({ ...where, kinds, err: error }, 'channel metrics fetch failed')
      return 'failed'
    }
    const validation = validateSnapshot(body, (deps.now ?? (() => new Date()))())
    if (!validation.ok) return rejected(deps, where, validation.reason, validation.detail)
    const result = await storeChannelSnapshot(deps.db, target, validation.snapshot, checkProgress)
    if (result.status === 'rejected') return rejected(deps, where, result.reason, `${result.reason}: stored snapshot is newer or larger`)
    if (result.status === 'skipped') return 'skipped'
    deps.metrics.applied.inc({ provider })
    await invalidate(deps, target, result.userId)
    return 'applied'
  } catch (error) {
    deps.logger.error({ ...where, err: error }, 'channel metrics write failed')
    return 'failed'
  } finally {
    done()
  }
}

function rejected(deps: RefreshDeps, where: object, reason: string, detail: string): RefreshOutcome {
  deps.metrics.rejected.inc({ provider: (where as { provider: string }).provider, reason })
  deps.logger.warn({ ...where, reason, detail }, 'channel metrics snapshot rejected')
  return 'rejected'
}

async function invalidate(deps: RefreshDeps, target: RefreshTarget, userId: string | null): Promise<void> {
  try {
    await invalidateProjections(deps.cache, keysToInvalidate({ eventId: target.eventId, userId, channelNames: [target.channelName] }), {
      channel: deps.changesChannel,
      eventIds: [target.eventId],
    })
  } catch (error) {
    deps.logger.warn({ err: error, eventId: target.eventId }, 'cache invalidation failed (TTL is the backstop)')
  }
}
