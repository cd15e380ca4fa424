/**
 * What a token is for (docs/SPEC.md section 9): an API bearer token, a browser session and a
 * one-time login code. Each purpose has its own fixed audience and its own key, and every
 * verifier checks both, so none is accepted as another whatever the configuration says:
 *
 * - API tokens carry `JWT_AUDIENCE`, or `API_TOKEN_AUDIENCE` when it is unset, and are checked
 *   with `JWT_SECRET` itself (or the JWKS): other tools mint them with that secret.
 * - Sessions and login codes are minted only by this service, with keys derived from
 *   `SESSION_SECRET` (default `JWT_SECRET`) by HKDF-SHA256 with a purpose label: never the key
 *   API tokens are checked with, and never each other's, even when both secrets are equal.
 * - Their audiences are reserved: `JWT_AUDIENCE` may not name one (ConfigError), and a bearer
 *   token whose `aud` contains one is refused even when it also carries the API audience.
 */
import { hkdfSync, webcrypto } from 'node:crypto'

export const API_TOKEN_AUDIENCE = 'event-analytics-api'
export const SESSION_AUDIENCE = 'event-analytics-session'
export const LOGIN_CODE_AUDIENCE = 'event-analytics-login'

/** Audiences only this service mints, for itself: never an API token's. */
export const RESERVED_AUDIENCES: readonly string[] = [SESSION_AUDIENCE, LOGIN_CODE_AUDIENCE]

/** Whether a token's `aud` claim (a string or an array of them) names a reserved audience. */
export function hasReservedAudience(aud: unknown): boolean {
  const audiences = Array.isArray(aud) ? aud : [aud]
  return audiences.some((value) => typeof value === 'string' && RESERVED_AUDIENCES.includes(value))
}

/** The audience API tokens must carry: `JWT_AUDIENCE` when configured, else the fixed one. */
export function apiTokenAudience(configured: string | undefined): string {
  return configured ?? API_TOKEN_AUDIENCE
}

export type DerivedKeyPurpose = 'session' | 'login-code'

const HKDF_SALT = 'event-analytics/query-api/token-keys'

/** The 32-byte HMAC key for `purpose`, derived from `secret` (HKDF-SHA256, the purpose in `info`). */
export function derivePurposeKey(secret: string, purpose: DerivedKeyPurpose): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, HKDF_SALT, `event-analytics ${purpose} v1`, 32))
}

/** Imported once: jose would otherwise import raw bytes as a CryptoKey on every call. */
export async function hmacKey(raw: string | Uint8Array, usages: webcrypto.KeyUsage[]): Promise<webcrypto.CryptoKey> {
  const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw
  return webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, usages)
}
