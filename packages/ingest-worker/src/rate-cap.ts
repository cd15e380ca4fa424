/**
 * An average ceiling on consumption, in messages a second, for a consumer that must leave the
 * machine to others (a rebuild beside the live pipeline). Virtual scheduling: every batch taken
 * moves a "free again at" instant forward by its share of a second, and the next batch waits
 * until that instant. Bursts up to one batch pass at once (the consumer takes it per job); over
 * any longer window the rate holds.
 * Pure: the caller owns the clock and the waiting.
 */
export class RateCap {
  private freeAt = 0

  /** `perSecond` 0: no ceiling (every wait is 0). */
  constructor(private readonly perSecond: number) {
    if (!Number.isFinite(perSecond) || perSecond < 0) throw new RangeError(`a rate cap of ${perSecond} messages a second`)
  }

  /** How long to wait, from `now` (ms), before consuming `messages` more; the batch is then counted as taken. */
  take(messages: number, now: number): number {
    if (this.perSecond === 0) return 0
    const start = Math.max(this.freeAt, now)
    this.freeAt = start + (messages * 1000) / this.perSecond
    return start - now
  }
}
