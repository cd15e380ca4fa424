/**
 * The one pub/sub subscription of an API instance to the aggregator's change announcements
 * (contracts' changes.ts), shared by the live streams (live/feeds.ts) and the in-process
 * projection cache (cache/local-cache.ts).
 *
 * Pub/sub loses what is published while the connection is down, so the subscription tells its
 * listeners two things besides the changes: `onGap` when the connection drops (from then on
 * messages may be missed) and `onResume` once the channel is subscribed again on a new
 * connection (from then on every message is heard again). `live` is true only in between a
 * confirmed SUBSCRIBE and the next drop: a reader that relies on hearing every change (the local
 * cache) relies on it only while `live` holds.
 */
import { decodeChange } from '@event-analytics/contracts'
import type { ProjectionChange } from '@event-analytics/contracts'
import type { RedisClient } from '@event-analytics/ops'
import type { FastifyBaseLogger } from 'fastify'

declare module 'fastify' {
  interface FastifyInstance {
    /** The instance's subscription to the aggregator's change announcements. */
    changes: ChangeSubscription
  }
}

export interface ChangeListener {
  /** A decoded announcement: these events' cache keys were invalidated before it was published. */
  onChange?(change: ProjectionChange): void
  /** The connection dropped: announcements may be lost from now until onResume. */
  onGap?(): void
  /** Subscribed again after a gap: announcements are heard again (what was missed is unknown). */
  onResume?(): void
}

export interface ChangeSubscriptionOptions {
  /** A connection of its own (a subscribed connection can do nothing else); quit by close(). */
  subscriber: RedisClient
  channel: string
  logger: FastifyBaseLogger
}

export class ChangeSubscription {
  private readonly listeners: ChangeListener[] = []
  private subscribing: Promise<void> | undefined
  private connected = false
  private confirmed = false
  private closed = false

  constructor(private readonly options: ChangeSubscriptionOptions) {
    const { subscriber, channel, logger } = options
    subscriber.on('message', (from: string, text: string) => {
      if (from !== channel || !this.live) return
      const change = decodeChange(text)
      if (change !== undefined) for (const listener of this.listeners) listener.onChange?.(change)
    })
    subscriber.on('close', () => this.dropped())
    subscriber.on('ready', () => {
      this.connected = true
      // ioredis re-subscribes on its own after a reconnect, but emits `ready` before Redis
      // confirmed it: subscribing here again (harmless) tells when nothing is missed any more.
      if (this.subscribing !== undefined && !this.confirmed) this.resubscribe()
    })
    subscriber.on('error', (error) => logger.warn({ err: error }, 'live changes subscription error'))
  }

  /** True while every announcement is heard: subscribed and not dropped since. */
  get live(): boolean {
    return this.confirmed && this.connected && !this.closed
  }

  /** Listeners run in the order they were added; returns the way to remove this one. */
  listen(listener: ChangeListener): () => void {
    this.listeners.push(listener)
    return () => {
      const at = this.listeners.indexOf(listener)
      if (at >= 0) this.listeners.splice(at, 1)
    }
  }

  /** Subscribes (once); resolves when Redis confirmed, so no change after it is missed. */
  ready(): Promise<void> {
    this.subscribing ??= this.subscribe().catch((error: unknown) => {
      // Redis unreachable: the caller fails or bypasses; the next call tries again.
      this.subscribing = undefined
      throw error
    })
    return this.subscribing
  }

  async close(): Promise<void> {
    this.closed = true
    this.confirmed = false
    await this.options.subscriber.quit().catch(() => undefined)
  }

  private async subscribe(): Promise<void> {
    await this.options.subscriber.subscribe(this.options.channel)
    // `ready` fires before the first SUBSCRIBE's reply is read, so connected is known here.
    this.connected = this.options.subscriber.status === 'ready'
    this.confirmed = true
  }

  private resubscribe(): void {
    this.options.subscriber.subscribe(this.options.channel).then(
      () => {
        if (this.closed || this.confirmed) return
        this.confirmed = true
        this.options.logger.info('live changes subscription resumed')
        for (const listener of this.listeners) listener.onResume?.()
      },
      // The connection dropped again: its next `ready` retries.
      (error: unknown) => this.options.logger.warn({ err: error }, 'live changes resubscribe failed'),
    )
  }

  private dropped(): void {
    const wasLive = this.live
    this.connected = false
    if (!this.confirmed) return
    this.confirmed = false
    if (wasLive && !this.closed) this.options.logger.warn('live changes subscription lost; announcements may be missed until it resumes')
    for (const listener of this.listeners) listener.onGap?.()
  }
}
