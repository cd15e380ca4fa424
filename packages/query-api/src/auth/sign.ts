import { SignJWT } from 'jose'
import { OPERATOR_ROLE, VIEWER_ROLE } from './verifier.js'

export interface TokenRequest {
  sub: string
  operator?: boolean
  /** Board read-only; ignored when `operator` is set (an operator may view too). */
  viewer?: boolean
  /** Lifetime in seconds. */
  ttlSeconds?: number
  issuer?: string
  audience?: string
}

/** Signs an HS256 token (local use, tests, the `token` command). */
export async function signDevToken(secret: string, request: TokenRequest): Promise<string> {
  const role = request.operator === true ? OPERATOR_ROLE : request.viewer === true ? VIEWER_ROLE : undefined
  let jwt = new SignJWT(role === undefined ? {} : { role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (request.ttlSeconds ?? 3600))
  if (request.issuer !== undefined) jwt = jwt.setIssuer(request.issuer)
  if (request.audience !== undefined) jwt = jwt.setAudience(request.audience)
  return jwt.sign(new TextEncoder().encode(secret))
}
