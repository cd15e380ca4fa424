/**
 * Bearer token verification with jose. HS256 with a shared secret for local use; with a
 * JWKS URL, the asymmetric keys it publishes (RS256 in production). Roles: the claim
 * `role: 'operator'` or `roles: [..., 'operator', ...]` both grant operator rights.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose'
import type { JWTPayload, JWTVerifyOptions } from 'jose'
import type { AuthConfig } from '../config.js'

export interface Principal {
  /** The owner (user id) the token speaks for. */
  readonly sub: string
  readonly operator: boolean
}

export class AuthError extends Error {
  override name = 'AuthError'
}

export type TokenVerifier = (token: string) => Promise<Principal>

export const OPERATOR_ROLE = 'operator'

export function principalOf(payload: JWTPayload): Principal {
  const sub = payload.sub
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 36) throw new AuthError('token has no valid sub claim')
  const role = payload['role']
  const roles = payload['roles']
  const operator = role === OPERATOR_ROLE || (Array.isArray(roles) && roles.includes(OPERATOR_ROLE))
  return { sub, operator }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid'
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim ${error.claim} is invalid`
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted'
  if (error instanceof AuthError) return error.message
  return 'token is malformed or cannot be verified'
}

export function createVerifier(config: AuthConfig): TokenVerifier {
  const options: JWTVerifyOptions = {
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
    requiredClaims: ['sub', 'exp'],
  }
  const jwks = config.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(config.jwksUrl))
  const secret = config.secret === undefined ? undefined : new TextEncoder().encode(config.secret)
  if (jwks === undefined && secret === undefined) throw new Error('auth needs JWT_SECRET or JWT_JWKS_URL')
  return async (token) => {
    try {
      const { payload } =
        jwks !== undefined
          ? await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'PS256'] })
          : await jwtVerify(token, secret!, { ...options, algorithms: ['HS256'] })
      return principalOf(payload)
    } catch (error) {
      throw new AuthError(describe(error))
    }
  }
}
