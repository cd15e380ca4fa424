/**
 * Recently verified tokens (token -> principal). A dashboard polls with the same bearer
 * token many times a second, and a jose verification (key import + HMAC/RSA) was the
 * largest cost of a cached request. Only successful verifications are kept, each until the
 * token's own `exp` (the same instant jose would start refusing it) or `maxAgeMs`, whichever
 * comes first; the age cap bounds how long a key removed from a JWKS keeps being honoured.
 * Bounded LRU (Map insertion order), so many distinct tokens cost memory only up to `maxEntries`.
 */
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
  private readonly entries = new Map<string, Entry>()
  private readonly now: () => number

  constructor(private readonly options: TokenCacheOptions) {
    this.now = options.now ?? Date.now
  }

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token)
    if (entry === undefined) return undefined
    this.entries.delete(token)
    if (this.now() >= entry.validUntilMs) return undefined
    this.entries.set(token, entry) // re-insert: most recently used moves to the end
    return entry.principal
  }

  /** `expSeconds`: the token's verified `exp` claim (jose refuses it once `exp <= now` in seconds). */
  set(token: string, principal: Principal, expSeconds: number): void {
    const validUntilMs = Math.min(expSeconds * 1000, this.now() + this.options.maxAgeMs)
    if (!(validUntilMs > this.now())) return
    this.entries.delete(token)
    this.entries.set(token, { principal, validUntilMs })
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
  }

  get size(): number {
    return this.entries.size
  }
}
