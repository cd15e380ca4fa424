/**
 * In-process copies of event-scoped cache entries (serialised body + ETag + owner, the text the
 * Redis entry holds), so a hit costs no Redis round trip. Bounded by entry count and by
 * (approximate) bytes, least recently used first out; invalidated by the aggregator's change
 * announcements (live/changes.ts) per event.
 *
 * Freshness invariant: an entry is served only if no announcement naming its event arrived since
 * the read that produced it STARTED, and only while every announcement is heard. Kept by:
 * - `beginFill` is called before the Redis read (or PostgreSQL load) the entry comes from; an
 *   announcement (or a gap) arriving before `finishFill` marks that fill stale and it is not
 *   stored. The aggregator publishes after its UNLINKs, so a read that saw the old value started
 *   before the announcement was even published.
 * - the owner (plugins/cache.ts) begins fills only while the subscription is live, and `clear()`
 *   on a gap drops every entry and marks every fill in progress stale.
 * - `maxAgeMs` bounds an entry's life whatever happens: an announcement lost without the
 *   subscription noticing (a publisher on another channel, a silent network fault) costs at most
 *   that much staleness.
 *
 * lru-cache keeps the recency order and both bounds; its `onInsert` and `dispose` hooks keep the
 * per-event index in step with whatever it holds. The age is checked here, on the injected clock,
 * rather than with its `ttl`: an entry ends exactly at `maxAgeMs` (a ttl ends it a millisecond later).
 */
import { LRUCache } from 'lru-cache'

export interface LocalCacheOptions {
  maxEntries: number
  /** Bound on the entries' text and keys, counted as UTF-16 code units x 2 (their size in V8). */
  maxBytes: number
  maxAgeMs: number
  now?: () => number
}

/** What a hit hands out: the text, and a slot for its decoded value (decoded once per copy). */
export interface HeldEntry {
  readonly text: string
  decoded?: { readonly value: unknown }
}

interface LocalEntry extends HeldEntry {
  readonly eventId: string
  readonly bytes: number
  readonly storedAt: number
}

/** A read in progress whose result may be stored; `stale` once its event changed meanwhile. */
export interface PendingFill {
  readonly eventId: string
  readonly key: string
  stale: boolean
}

function markStale(fill: PendingFill): PendingFill {
  fill.stale = true
  return fill
}

const sizeOf = (key: string, text: string): number => 2 * (key.length + text.length)

export class LocalProjectionCache {
  private readonly entries: LRUCache<string, LocalEntry>
  private readonly keysByEvent = new Map<string, Set<string>>()
  private readonly pending = new Map<string, Set<PendingFill>>()
  private readonly now: () => number

  constructor(private readonly options: LocalCacheOptions) {
    this.entries = new LRUCache<string, LocalEntry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (entry) => entry.bytes,
      onInsert: (entry, key) => this.index(key, entry),
      dispose: (entry, key) => this.unindex(key, entry),
    })
    this.now = options.now ?? Date.now
  }

  /** The entry when held and younger than maxAgeMs. */
  get(key: string): HeldEntry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (this.now() - entry.storedAt >= this.options.maxAgeMs) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  /** Registers a read of the event's entry `key`; call before the read starts. */
  beginFill(eventId: string, key: string): PendingFill {
    const fill: PendingFill = { eventId, key, stale: false }
    let fills = this.pending.get(eventId)
    if (fills === undefined) {
      fills = new Set()
      this.pending.set(eventId, fills)
    }
    fills.add(fill)
    return fill
  }

  /** Ends the read; stores `text` unless the event changed since beginFill. True when stored. */
  finishFill(fill: PendingFill, text: string): boolean {
    this.endFill(fill)
    if (fill.stale) return false
    const { key } = fill
    const bytes = sizeOf(key, text)
    // Checked before set: lru-cache would also drop the entry already held under the key.
    if (bytes > this.options.maxBytes) return false
    this.entries.set(key, { text, eventId: fill.eventId, bytes, storedAt: this.now() })
    return true
  }

  /** Ends a read that produced nothing to store (it failed). */
  abandonFill(fill: PendingFill): void {
    this.endFill(fill)
  }

  /** Drops the events' entries; their reads in progress will not store. Returns those reads. */
  invalidate(eventIds: readonly string[]): PendingFill[] {
    const staled: PendingFill[] = []
    for (const eventId of eventIds) {
      for (const fill of this.pending.get(eventId) ?? []) staled.push(markStale(fill))
      // A copy: each delete takes its key out of this index (dispose).
      for (const key of [...(this.keysByEvent.get(eventId) ?? [])]) this.entries.delete(key)
    }
    return staled
  }

  /** Drops everything; no read in progress stores. Returns those reads. */
  clear(): PendingFill[] {
    const staled: PendingFill[] = []
    for (const fills of this.pending.values()) for (const fill of fills) staled.push(markStale(fill))
    this.entries.clear()
    return staled
  }

  get size(): number {
    return this.entries.size
  }

  get bytes(): number {
    return this.entries.calculatedSize
  }

  private endFill(fill: PendingFill): void {
    const fills = this.pending.get(fill.eventId)
    if (fills === undefined) return
    fills.delete(fill)
    if (fills.size === 0) this.pending.delete(fill.eventId)
  }

  private index(key: string, entry: LocalEntry): void {
    let keys = this.keysByEvent.get(entry.eventId)
    if (keys === undefined) {
      keys = new Set()
      this.keysByEvent.set(entry.eventId, keys)
    }
    keys.add(key)
  }

  private unindex(key: string, entry: LocalEntry): void {
    const keys = this.keysByEvent.get(entry.eventId)
    keys?.delete(key)
    if (keys?.size === 0) this.keysByEvent.delete(entry.eventId)
  }
}
