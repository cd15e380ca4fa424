/**
 * Bearer auth. Decorates `app.authenticate` (an onRequest hook the protected scopes add)
 * and `request.principal`. fastify-plugin so the decorators are visible to every scope.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AuthError, type Principal, type TokenVerifier } from '../auth/verifier.js'
import { ProblemError } from './problem-details.js'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>
    verifyToken: TokenVerifier
  }
}

const BEARER = /^Bearer ([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=+/]*)$/

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = BEARER.exec(header.trim())
  if (!match) throw new ProblemError(401, 'Authorization header must be "Bearer <JWT>"')
  return match[1]
}

export async function verifyOr401(verify: TokenVerifier, token: string | undefined): Promise<Principal> {
  if (token === undefined) throw new ProblemError(401, 'a bearer token is required')
  try {
    return await verify(token)
  } catch (error) {
    throw new ProblemError(401, error instanceof AuthError ? error.message : 'token cannot be verified')
  }
}

export interface AuthOptions {
  verifier: TokenVerifier
  /** A browser session (auth/session.ts): used only when the request has no Authorization header. */
  session?: (request: FastifyRequest) => Promise<Principal | undefined>
}

async function auth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  app.decorateRequest('principal', null)
  app.decorate('verifyToken', options.verifier)
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const token = bearerToken(request)
    const session = token === undefined ? await options.session?.(request) : undefined
    request.principal = session ?? (await verifyOr401(options.verifier, token))
  })
}

export const authPlugin = fp(auth, { name: 'auth', fastify: '5.x' })

/** A user reads only their own events and summary; an operator reads everything. */
export function canRead(principal: Principal | null, ownerId: string | null): boolean {
  if (principal === null) return false
  return principal.operator || (ownerId !== null && principal.sub === ownerId)
}
