/**
 * Recently verified tokens (token -> principal). A dashboard polls with the same bearer
 * token many times a second, and a jose verification (key import + HMAC/RSA) was the
 * largest cost of a cached request. Only successful verifications are kept, each until the
 * token's own `exp` (the same instant jose would start refusing it) or `maxAgeMs`, whichever
 * comes first; the age cap bounds how long a key removed from a JWKS keeps being honoured.
 * Bounded LRU, so many distinct tokens cost memory only up to `maxEntries`.
 *
 * The expiry is checked here rather than with lru-cache's `ttl`: an entry must end exactly at
 * `exp` (lru-cache ends it a millisecond after its ttl) on the injected clock.
 */
import { LRUCache } from 'lru-cache'
import type { Principal } from './verifier.js'

export interface TokenCacheOptions {
  maxEntries: number
  maxAgeMs: number
  /** Milliseconds since the epoch (tests pin it). */
  now?: () => number
}

interface Entry {
  readonly principal: Principal
  readonly validUntilMs: number
}

export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Entry>
  private readonly now: () => number

  constructor(private readonly options: TokenCacheOptions) {
    this.entries = new LRUCache({ max: options.maxEntries })
    this.now = options.now ?? Date.now
  }

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token)
    if (entry === undefined) return undefined
    if (this.now() >= entry.validUntilMs) {
      this.entries.delete(token)
      return undefined
    }
    return entry.principal
  }

  /** `expSeconds`: the token's verified `exp` claim (jose refuses it once `exp <= now` in seconds). */
  set(token: string, principal: Principal, expSeconds: number): void {
    const validUntilMs = Math.min(expSeconds * 1000, this.now() + this.options.maxAgeMs)
    if (!(validUntilMs > this.now())) return
    this.entries.set(token, { principal, validUntilMs })
  }

  get size(): number {
    return this.entries.size
  }
}
