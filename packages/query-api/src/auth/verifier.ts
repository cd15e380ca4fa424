/**
 * Bearer token verification with jose. HS256 with a shared secret for local use; with a
 * JWKS URL, the asymmetric keys it publishes (RS256 in production). A bearer token is an API
 * token only: it must carry the API audience (`JWT_AUDIENCE`, else `API_TOKEN_AUDIENCE`) and no
 * session or login-code audience (auth/purposes.ts), whatever else it says. Roles: the claim
 * `role: '<role>'` or `roles: [..., '<role>', ...]`. `operator` reads every event and may change
 * jobs on the board; `viewer` may only look at the board (read-only mode); neither claim: an owner.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose'
import type { JWTPayload, JWTVerifyOptions } from 'jose'
import type { AuthConfig } from '../config.js'
import { VerifiedTokenCache } from './token-cache.js'
import { apiTokenAudience, hasReservedAudience, hmacKey, RESERVED_AUDIENCES } from './purposes.js'

export interface Principal {
  /** The owner (user id) the token speaks for. */
  readonly sub: string
  readonly operator: boolean
  /** May look at the BullMQ board read-only (every operator may too). */
  readonly viewer: boolean
}

export class AuthError extends Error {
  override name = 'AuthError'
}

export type TokenVerifier = (token: string) => Promise<Principal>

export const OPERATOR_ROLE = 'operator'
export const VIEWER_ROLE = 'viewer'

export function principalOf(payload: JWTPayload): Principal {
  const sub = payload.sub
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 36) throw new AuthError('token has no valid sub claim')
  const role = payload['role']
  const roles = payload['roles']
  const has = (name: string): boolean => role === name || (Array.isArray(roles) && roles.includes(name))
  const operator = has(OPERATOR_ROLE)
  return { sub, operator, viewer: operator || has(VIEWER_ROLE) }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid'
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim ${error.claim} is invalid`
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted'
  if (error instanceof AuthError) return error.message
  return 'token is malformed or cannot be verified'
}

/** Enough for every dashboard polling one API instance; an entry is a token string and a principal. */
const TOKEN_CACHE_ENTRIES = 1000
/** Caps how long a verified token is trusted without asking jose (and so the JWKS) again. */
const TOKEN_CACHE_MAX_AGE_MS = 5 * 60_000

export function createVerifier(config: AuthConfig): TokenVerifier {
  const audience = apiTokenAudience(config.audience)
  if (RESERVED_AUDIENCES.includes(audience)) throw new Error(`JWT_AUDIENCE may not be "${audience}": that audience is not an API token's`)
  const options: JWTVerifyOptions = {
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    audience,
    requiredClaims: ['sub', 'exp', 'aud'],
  }
  const jwks = config.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(config.jwksUrl))
  const secret = config.secret === undefined ? undefined : hmacKey(config.secret, ['verify'])
  if (jwks === undefined && secret === undefined) throw new Error('auth needs JWT_SECRET or JWT_JWKS_URL')
  // A failed import would reject every request: keep it from also being an unhandled rejection.
  secret?.catch(() => undefined)
  const verified = new VerifiedTokenCache({ maxEntries: TOKEN_CACHE_ENTRIES, maxAgeMs: TOKEN_CACHE_MAX_AGE_MS })
  return async (token) => {
    const known = verified.get(token)
    if (known !== undefined) return known
    try {
      const { payload } =
        jwks !== undefined
          ? await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'PS256'] })
          : await jwtVerify(token, await secret!, { ...options, algorithms: ['HS256'] })
      // jose accepts a token when any of its audiences matches: one that is also a session or a
      // login code (or claims to be) is still not an API token.
      if (hasReservedAudience(payload.aud)) throw new AuthError('token is a session or login code, not an API token')
      const principal = principalOf(payload)
      // requiredClaims makes jose check that exp is present and numeric.
      if (typeof payload.exp === 'number') verified.set(token, principal, payload.exp)
      return principal
    } catch (error) {
      throw new AuthError(describe(error))
    }
  }
}
