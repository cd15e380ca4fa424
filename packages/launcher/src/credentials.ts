/**
 * What the banner hands out: an operator API token and the page's sign-in link with a one-time
 * login code. Each is minted for its own purpose the way the API checks it (query-api's
 * auth/purposes.ts, docs/SPEC.md section 9): the token with the API audience and issuer that
 * the API's configuration asks for, the code with the session secret. The API child gets the
 * same environment, so what the banner prints is what that API accepts.
 */
import { apiTokenAudience, signDevToken, signLoginCode } from '@event-analytics/query-api'
import type { ApiConfig } from '@event-analytics/query-api'

export const BANNER_TOKEN_TTL_SECONDS = 24 * 3600

/** An operator API token (24 h), or an error when the API has no HS256 secret to sign with. */
export async function operatorToken(config: ApiConfig): Promise<string> {
  const { secret, audience, issuer } = config.auth
  if (secret === undefined) throw new Error('no HS256 secret (JWT_SECRET) to sign a token with')
  return signDevToken(secret, {
    sub: 'operator',
    operator: true,
    ttlSeconds: BANNER_TOKEN_TTL_SECONDS,
    audience: apiTokenAudience(audience),
    ...(issuer === undefined ? {} : { issuer }),
  })
}

/** `<apiBaseUrl>/auth/login?code=<one-time code for userId>`, or undefined when sign-in is off (no session secret). */
export async function signInLink(config: ApiConfig, apiBaseUrl: string, userId: string): Promise<string | undefined> {
  const secret = config.live.sessionSecret
  if (secret === undefined) return undefined
  return `${apiBaseUrl}/auth/login?code=${await signLoginCode(secret, userId)}`
}
