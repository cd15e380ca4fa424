/**
 * One opossum breaker per provider. Transitions are reported to the gauge at once and to
 * PostgreSQL (provider_health) in order, so the query API (another process) can mark the
 * provider's channels stale; the reporter then drops their cached projections.
 */
import { keysToInvalidate } from '@event-analytics/contracts'
import { invalidateProjections, type Logger, type RedisClient } from '@event-analytics/ops'
import { listRefreshTargets, recordProviderHealth } from '@event-analytics/db'
import type { ChannelTypeValue, Database, ProviderStateValue } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import CircuitBreaker from 'opossum'
import { CHANNEL_TYPES } from './config.js'
import type { ChannelMetricsConfig } from './config.js'
import { fetchJson } from './client.js'
import type { ChannelMetricsMetrics } from './metrics.js'

export type ProviderBreakers = Readonly<Record<ChannelTypeValue, CircuitBreaker<[string], unknown>>>

const GAUGE: Record<ProviderStateValue, number> = { closed: 0, 'half-open': 1, open: 2 }

export function createBreakers(config: ChannelMetricsConfig, health: HealthReporter): ProviderBreakers {
  const make = (type: ChannelTypeValue): CircuitBreaker<[string], unknown> => {
    const breaker = new CircuitBreaker((url: string) => fetchJson(url, config.timeoutMs), {
      name: type,
      // The request carries its own abortable timeout (fetchJson); opossum's would not cancel it.
      timeout: false,
      errorThresholdPercentage: config.breakerErrorPercent,
      volumeThreshold: config.breakerVolumeThreshold,
      rollingCountTimeout: config.breakerWindowMs,
      rollingCountBuckets: 10,
      resetTimeout: config.breakerResetMs,
    })
    breaker.on('open', () => health.report(type, 'open'))
    breaker.on('halfOpen', () => health.report(type, 'half-open'))
    breaker.on('close', () => health.report(type, 'closed'))
    return breaker
  }
  return { TV: make('TV'), SNS: make('SNS'), VOICE: make('VOICE') }
}

export function shutdownBreakers(breakers: ProviderBreakers): void {
  for (const type of CHANNEL_TYPES) breakers[type].shutdown()
}

export class HealthReporter {
  /** Writes are chained: PostgreSQL sees the transitions in the order they happened. */
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly cache: { readonly redis: RedisClient; readonly changesChannel: string },
    private readonly metrics: ChannelMetricsMetrics,
    private readonly logger: Logger,
  ) {}

  report(type: ChannelTypeValue, state: ProviderStateValue): void {
    this.metrics.breakerState.set({ provider: type }, GAUGE[state])
    const changedAt = new Date()
    this.logger.info({ provider: type, state }, 'channel metrics breaker state')
    this.chain = this.chain.then(() => this.persist(type, state, changedAt))
  }

  /** Resolves once every reported transition is persisted (or logged as failed). */
  flush(): Promise<void> {
    return this.chain
  }

  private async persist(type: ChannelTypeValue, state: ProviderStateValue, changedAt: Date): Promise<void> {
    try {
      if (!(await recordProviderHealth(this.db, type, state, changedAt))) return
      const byEvent = new Map<string, { userId: string | null; names: string[] }>()
      for (const target of await listRefreshTargets(this.db, type)) {
        const entry = byEvent.get(target.eventId) ?? { userId: target.userId, names: [] }
        entry.names.push(target.channelName)
        byEvent.set(target.eventId, entry)
      }
      const keys = [...byEvent].flatMap(([eventId, entry]) =>
        keysToInvalidate({ eventId, userId: entry.userId, channelNames: entry.names }),
      )
      // Stale flags changed: live dashboards of these events are pushed again.
      await invalidateProjections(this.cache.redis, keys, { channel: this.cache.changesChannel, eventIds: [...byEvent.keys()] })
    } catch (error) {
      // Not fatal: the next transition (or the age rule of the API) corrects the picture.
      this.logger.warn({ err: error, provider: type, state }, 'could not persist provider health')
    }
  }
}
