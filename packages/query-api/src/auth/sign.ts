import { SignJWT } from 'jose'

export interface TokenRequest {
  sub: string
  operator?: boolean
  /** Lifetime in seconds. */
  ttlSeconds?: number
  issuer?: string
  audience?: string
}

/** Signs an HS256 token (local use, tests, the `token` command). */
export async function signDevToken(secret: string, request: TokenRequest): Promise<string> {
  let jwt = new SignJWT(request.operator === true ? { role: 'operator' } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (request.ttlSeconds ?? 3600))
  if (request.issuer !== undefined) jwt = jwt.setIssuer(request.issuer)
  if (request.audience !== undefined) jwt = jwt.setAudience(request.audience)
  return jwt.sign(new TextEncoder().encode(secret))
}
