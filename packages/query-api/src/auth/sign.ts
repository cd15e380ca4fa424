import { SignJWT } from 'jose'
import { OPERATOR_ROLE, VIEWER_ROLE } from './verifier.js'
import { API_TOKEN_AUDIENCE, RESERVED_AUDIENCES } from './purposes.js'

export interface TokenRequest {
  sub: string
  operator?: boolean
  /** Board read-only; ignored when `operator` is set (an operator may view too). */
  viewer?: boolean
  /** Lifetime in seconds. */
  ttlSeconds?: number
  issuer?: string
  /** The API audience in use: `apiTokenAudience(config.auth.audience)`; default `API_TOKEN_AUDIENCE`. */
  audience?: string
}

/** Signs an HS256 API token (local use, tests, the `token` command, the launcher's banner). */
export async function signDevToken(secret: string, request: TokenRequest): Promise<string> {
  const audience = request.audience ?? API_TOKEN_AUDIENCE
  if (RESERVED_AUDIENCES.includes(audience)) throw new Error(`"${audience}" is not an API token's audience`)
  const role = request.operator === true ? OPERATOR_ROLE : request.viewer === true ? VIEWER_ROLE : undefined
  let jwt = new SignJWT(role === undefined ? {} : { role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (request.ttlSeconds ?? 3600))
  if (request.issuer !== undefined) jwt = jwt.setIssuer(request.issuer)
  return jwt.setAudience(audience).sign(new TextEncoder().encode(secret))
}
