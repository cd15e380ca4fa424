/**
 * Live dashboards: one pub/sub subscription per API instance, one feed per event that has
 * open streams, one load per change per feed (through the projection cache, so REST readers
 * and other instances share it), and the same bytes written to every client of the feed.
 *
 * Each dashboard frame carries `id: <ETag of the body>`: content-derived, so it means the same
 * on every instance, and a client is sent a frame only when its last id differs. Changes that
 * arrive while a load is running coalesce into one more load after it.
 */
import type { ProjectionChange } from '@event-analytics/contracts'
import type { FastifyBaseLogger } from 'fastify'
import type { OwnedEntry } from '../cache/owned-entry.js'
import type { PipelineFrame } from '../wire/schemas.js'
import type { ChangeSubscription } from './changes.js'

export interface StreamClient {
  readonly owner: string
  /** Id of the last dashboard frame written to it. */
  lastId: string | undefined
  write(chunk: string): void
  end(): void
}

export interface FeedOptions {
  /** The instance's subscription to the change announcements (shared with the local cache). */
  changes: ChangeSubscription
  /** The event's dashboard entry, current as of the call. */
  load: (eventId: string) => Promise<OwnedEntry>
  heartbeatMs: number
  maxPerOwner: number
  logger: FastifyBaseLogger
  now?: () => number
}

interface Feed {
  readonly clients: Set<StreamClient>
  /** The newest entry loaded, with its freshness. */
  current: { entry: OwnedEntry; freshness: Freshness } | undefined
  loading: Promise<void> | undefined
  again: boolean
}

/** What the `pipeline` frames repeat of the dashboard body (see PipelineFrameSchema). */
interface Freshness {
  /** Epoch ms, or null. */
  readonly asOf: number | null
  readonly committedAt: string | null
  readonly pipelineDelaySeconds: number | null
}

const UNKNOWN: Freshness = { asOf: null, committedAt: null, pipelineDelaySeconds: null }

export function dashboardFrame(entry: OwnedEntry): string {
  return `event: dashboard\nid: ${entry.etag}\ndata: ${entry.body}\n\n`
}

function freshnessOf(body: string): Freshness {
  const { asOf, committedAt, pipelineDelaySeconds } = JSON.parse(body) as Partial<Record<keyof Freshness, unknown>>
  return {
    asOf: typeof asOf === 'string' ? Date.parse(asOf) : null,
    committedAt: typeof committedAt === 'string' ? committedAt : null,
    pipelineDelaySeconds: typeof pipelineDelaySeconds === 'number' ? pipelineDelaySeconds : null,
  }
}

export class LiveFeeds {
  private readonly feeds = new Map<string, Feed>()
  private readonly perOwner = new Map<string, number>()
  private heartbeat: NodeJS.Timeout | undefined
  private closed = false
  private readonly now: () => number

  constructor(private readonly options: FeedOptions) {
    this.now = options.now ?? Date.now
    options.changes.listen({
      onChange: (change) => this.onChange(change),
      // What was announced while the subscription was down is lost: once it is back, every open
      // feed reloads once, so no stream stays behind a change it did not hear.
      onResume: () => {
        for (const [eventId, feed] of this.feeds) this.refresh(eventId, feed)
      },
    })
  }

  /** Subscribed (the first stream subscribes); resolves when Redis confirmed, so no change after it is missed. */
  async ready(): Promise<void> {
    // Redis unreachable: this stream fails (503), the next one tries again.
    await this.options.changes.ready()
    if (this.heartbeat === undefined && !this.closed) {
      this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs)
      this.heartbeat.unref()
    }
  }

  /** Takes one of the owner's stream slots; false when they hold the maximum already. */
  reserve(owner: string): boolean {
    const held = this.perOwner.get(owner) ?? 0
    if (this.closed || held >= this.options.maxPerOwner) return false
    this.perOwner.set(owner, held + 1)
    return true
  }

  release(owner: string): void {
    const held = (this.perOwner.get(owner) ?? 1) - 1
    if (held <= 0) this.perOwner.delete(owner)
    else this.perOwner.set(owner, held)
  }

  /** Adds a client that was sent `entry` already; catches up at once if the feed moved meanwhile. */
  attach(eventId: string, client: StreamClient, entry: OwnedEntry): void {
    const feed = this.feedOf(eventId)
    feed.clients.add(client)
    const freshness = freshnessOf(entry.body)
    client.lastId = entry.etag
    client.write(this.pipelineFrame(freshness))
    if (feed.current === undefined) feed.current = { entry, freshness }
    else if (feed.current.entry.etag !== entry.etag) this.refresh(eventId, feed)
  }

  detach(eventId: string, client: StreamClient): void {
    const feed = this.feeds.get(eventId)
    if (feed === undefined) return
    feed.clients.delete(client)
    if (feed.clients.size === 0 && feed.loading === undefined) this.feeds.delete(eventId)
  }

  /** Ends every stream (app closing); the subscription itself is closed by its owner (the app). */
  close(): void {
    this.closed = true
    clearInterval(this.heartbeat)
    for (const feed of this.feeds.values()) for (const client of feed.clients) client.end()
    this.feeds.clear()
  }

  get clientCount(): number {
    let count = 0
    for (const feed of this.feeds.values()) count += feed.clients.size
    return count
  }

  private feedOf(eventId: string): Feed {
    let feed = this.feeds.get(eventId)
    if (feed === undefined) {
      feed = { clients: new Set(), current: undefined, loading: undefined, again: false }
      this.feeds.set(eventId, feed)
    }
    return feed
  }

  private onChange(change: ProjectionChange): void {
    for (const eventId of change.eventIds) {
      const feed = this.feeds.get(eventId)
      if (feed === undefined) continue
      this.refresh(eventId, feed)
    }
  }

  private refresh(eventId: string, feed: Feed): void {
    if (feed.loading !== undefined) {
      feed.again = true
      return
    }
    feed.loading = (async () => {
      do {
        feed.again = false
        try {
          const entry = await this.options.load(eventId)
          feed.current = { entry, freshness: freshnessOf(entry.body) }
          this.broadcast(feed)
        } catch (error) {
          // PostgreSQL or Redis away: the clients keep their last state; the next change retries.
          this.options.logger.warn({ err: error, eventId }, 'live dashboard reload failed')
        }
      } while (feed.again && !this.closed)
    })().finally(() => {
      feed.loading = undefined
      if (feed.clients.size === 0) this.feeds.delete(eventId)
    })
  }

  private broadcast(feed: Feed): void {
    if (feed.current === undefined) return
    const { entry } = feed.current
    const frame = dashboardFrame(entry) + this.pipelineFrame(feed.current.freshness)
    for (const client of feed.clients) {
      if (client.lastId === entry.etag) continue
      client.lastId = entry.etag
      client.write(frame)
    }
  }

  private beat(): void {
    for (const feed of this.feeds.values()) {
      const frame = this.pipelineFrame(feed.current?.freshness ?? UNKNOWN)
      for (const client of feed.clients) client.write(frame)
    }
  }

  /**
   * Freshness, two things kept apart. ageSeconds, computed when sent: now - asOf, how old the
   * event's newest data is (it grows while nothing happens, and is large for back-filled
   * history however fast the pipeline is). committedAt and pipelineDelaySeconds, from the body:
   * the newest commit and the pipeline's own delay at it (ingest read to commit). ageSeconds is
   * clamped at 0 only against clock skew between this instance and PostgreSQL: asOf is never
   * after the commit.
   */
  private pipelineFrame({ asOf, committedAt, pipelineDelaySeconds }: Freshness): string {
    const now = this.now()
    const data: PipelineFrame = {
      asOf: asOf === null ? null : new Date(asOf).toISOString(),
      ageSeconds: asOf === null ? null : Math.max(0, now - asOf) / 1000,
      committedAt,
      pipelineDelaySeconds,
      sentAt: new Date(now).toISOString(),
    }
    return `event: pipeline\ndata: ${JSON.stringify(data)}\n\n`
  }
}
