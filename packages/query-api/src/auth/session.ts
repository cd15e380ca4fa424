/**
 * Browser sessions. Browsers cannot put an Authorization header on an EventSource or a
 * download link, and a long-lived token in a URL ends up in logs and history. So the page
 * authenticates with an HttpOnly, SameSite=Strict cookie holding a session JWT, obtained by
 * exchanging either an API token (POST /auth/session) or a one-time login code (the link
 * `npm start` prints: single use, minutes long). Sessions and login codes each have their own
 * audience and their own key derived from the session secret (auth/purposes.ts), so none of an
 * API token, a session and a login code is accepted as another.
 */
import { randomBytes } from 'node:crypto'
import { SignJWT, jwtVerify } from 'jose'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Principal } from './verifier.js'
import { principalOf } from './verifier.js'
import { derivePurposeKey, hmacKey, LOGIN_CODE_AUDIENCE, SESSION_AUDIENCE } from './purposes.js'

export const SESSION_COOKIE = 'ea_session'
export const LOGIN_CODE_TTL_SECONDS = 15 * 60

export interface SessionTokens {
  /** The principal of a valid session cookie on `request`, or undefined. */
  principalOf(request: FastifyRequest): Promise<Principal | undefined>
  /** Sets the session cookie for `principal` on `reply`. */
  start(request: FastifyRequest, reply: FastifyReply, principal: Principal): Promise<void>
  end(request: FastifyRequest, reply: FastifyReply): void
  /** The principal and the single-use id (jti) of a login code, or undefined when it is not one. */
  verifyLoginCode(code: string): Promise<{ principal: Principal; jti: string; expiresAt: number } | undefined>
}

function roleClaims(principal: Principal): Record<string, string> {
  return principal.operator ? { role: 'operator' } : {}
}

/**
 * A one-time login code for `sub` (the launcher prints it inside a link). `secret`: the session
 * secret (`live.sessionSecret`); the code is signed with the login-code key derived from it.
 */
export async function signLoginCode(secret: string, sub: string, ttlSeconds = LOGIN_CODE_TTL_SECONDS): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience(LOGIN_CODE_AUDIENCE)
    .setJti(randomBytes(12).toString('base64url'))
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(derivePurposeKey(secret, 'login-code'))
}

/** A session JWT for `principal` (what the cookie holds), signed with the session key derived from `secret`. */
export async function signSession(secret: string, principal: Principal, ttlSeconds: number): Promise<string> {
  return new SignJWT(roleClaims(principal))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.sub)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(derivePurposeKey(secret, 'session'))
}

/** The value of cookie `name` in a Cookie header (RFC 6265 pairs separated by "; "). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=')
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim()
  }
  return undefined
}

function cookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  // Secure only over HTTPS: the local stack serves plain http://127.0.0.1, where browsers would drop it.
  const secure = request.protocol === 'https' ? '; Secure' : ''
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`
}

export function createSessionTokens(secret: string, ttlSeconds: number): SessionTokens {
  const keys = {
    [SESSION_AUDIENCE]: hmacKey(derivePurposeKey(secret, 'session'), ['verify']),
    [LOGIN_CODE_AUDIENCE]: hmacKey(derivePurposeKey(secret, 'login-code'), ['verify']),
  }
  for (const key of Object.values(keys)) key.catch(() => undefined) // surfaced by the first use
  const verify = async (token: string, audience: typeof SESSION_AUDIENCE | typeof LOGIN_CODE_AUDIENCE) =>
    (await jwtVerify(token, await keys[audience], { audience, algorithms: ['HS256'], requiredClaims: ['sub', 'exp', 'aud'] })).payload
  return {
    async principalOf(request) {
      const token = cookieValue(request.headers.cookie, SESSION_COOKIE)
      if (token === undefined || token.length > 4096) return undefined
      try {
        return principalOf(await verify(token, SESSION_AUDIENCE))
      } catch {
        return undefined
      }
    },
    async start(request, reply, principal) {
      const token = await signSession(secret, principal, ttlSeconds)
      reply.header('set-cookie', cookie(request, token, ttlSeconds))
    },
    end(request, reply) {
      reply.header('set-cookie', cookie(request, '', 0))
    },
    async verifyLoginCode(code) {
      try {
        const payload = await verify(code, LOGIN_CODE_AUDIENCE)
        if (typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return undefined
        return { principal: principalOf(payload), jti: payload.jti, expiresAt: payload.exp }
      } catch {
        return undefined
      }
    },
  }
}
