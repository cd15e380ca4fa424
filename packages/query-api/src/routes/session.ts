/**
 * Sign-in for the web page: exchange an API token or a one-time login code for the session
 * cookie (auth/session.ts), who am I, sign out. Login codes are single use: their id is
 * claimed in the cache Redis until the code expires (a flushed cache could let a code still
 * inside its 15 minutes be used twice; it stays bound to the same owner).
 */
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { RedisClient } from '@event-analytics/ops'
import type { SessionTokens } from '../auth/session.js'
import { bearerToken, verifyOr401 } from '../plugins/auth.js'
import { ProblemError } from '../plugins/problem-details.js'
import { Body, MeSchema, NoBodySchema, problemResponses } from '../wire/schemas.js'

export interface SessionRouteOptions {
  sessions: SessionTokens
  redis: RedisClient
}

const LOGIN_CLAIM_PREFIX = 'analytics-login:'

export async function sessionRoutes(fastify: FastifyInstance, options: SessionRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { sessions, redis } = options
  const tags = ['session']

  app.post(
    '/auth/session',
    {
      schema: {
        summary: 'Exchange a bearer token for the HttpOnly session cookie the page and its streams use',
        tags,
        security: [{ bearerAuth: [] }],
        response: { 204: NoBodySchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = await verifyOr401(app.verifyToken, bearerToken(request))
      await sessions.start(request, reply, principal)
      return reply.code(204).send()
    },
  )

  app.get(
    '/auth/login',
    {
      schema: {
        summary: 'Sign in with a one-time login code (the link `npm start` prints), then go to the page',
        tags,
        querystring: Body({ code: Type.String({ minLength: 20, maxLength: 2048, pattern: '^[A-Za-z0-9._-]+$' }) }),
        response: { 303: NoBodySchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const login = await sessions.verifyLoginCode(request.query.code)
      if (login === undefined) throw new ProblemError(401, 'this sign-in link is invalid or expired; ask for a new one')
      const claimed = await redis.set(`${LOGIN_CLAIM_PREFIX}${login.jti}`, login.principal.sub, 'EXAT', login.expiresAt, 'NX')
      if (claimed !== 'OK') throw new ProblemError(401, 'this sign-in link was used already; ask for a new one')
      await sessions.start(request, reply, login.principal)
      return reply
        .header('location', `/#/owner/${encodeURIComponent(login.principal.sub)}`)
        .code(303)
        .send()
    },
  )

  app.post(
    '/auth/logout',
    { schema: { summary: 'End the browser session', tags, response: { 204: NoBodySchema } } },
    async (request, reply) => {
      sessions.end(request, reply)
      return reply.code(204).send()
    },
  )

  app.get(
    '/auth/me',
    {
      onRequest: app.authenticate,
      schema: {
        summary: 'Who the session or token speaks for',
        tags,
        response: { 200: MeSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const principal = request.principal
      if (principal === null) throw new ProblemError(401, 'not signed in')
      return { sub: principal.sub, operator: principal.operator }
    },
  )
}
