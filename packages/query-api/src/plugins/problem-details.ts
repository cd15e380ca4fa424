/**
 * RFC 9457 problem details for EVERY error the API answers: thrown ProblemErrors, Fastify's
 * schema validation and content-type errors, rate limiting, unknown routes, and anything
 * unexpected (500 with a generic detail; the cause goes to the log only).
 */
import { STATUS_CODES } from 'node:http'
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  instance: string
}

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
  required: ['type', 'title', 'status', 'detail', 'instance'],
} as const

/** An error that already knows its status and its human-readable detail. */
export class ProblemError extends Error {
  override name = 'ProblemError'
  constructor(
    readonly statusCode: number,
    readonly detail: string,
    readonly type = 'about:blank',
  ) {
    super(detail)
  }
}

export const notFound = (what: string): ProblemError => new ProblemError(404, `${what} was not found`)
export const badRequest = (detail: string): ProblemError => new ProblemError(400, detail)

/** Socket errors of a dependency going away (a restart resets pooled connections: ECONNRESET/EPIPE). */
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE'])

/** PostgreSQL/Redis being unreachable is a 503 (retry later), not a bug of the API. */
function isUnavailable(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
  // node-postgres ends a client whose server went away with this message and no code.
  const terminated = error instanceof Error && error.message.startsWith('Connection terminated')
  return code.startsWith('08') || code.startsWith('57P') || code === '3D000' || UNAVAILABLE_SOCKET_CODES.has(code) || terminated
}

function problemOf(error: FastifyError | ProblemError, request: FastifyRequest): ProblemBody {
  const raw = error.statusCode
  const status = typeof raw === 'number' && raw >= 400 && raw <= 599 ? raw : isUnavailable(error) ? 503 : 500
  const exposed = status < 500 || error instanceof ProblemError
  return {
    type: error instanceof ProblemError ? error.type : 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: exposed
      ? error.message
      : status === 503
        ? 'A dependency (PostgreSQL or Redis) is unavailable; retry later.'
        : 'An unexpected error occurred; it has been logged.',
    instance: request.url.split('?')[0] ?? request.url,
  }
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  if (body.status === 401) reply.header('www-authenticate', 'Bearer')
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body)
}

async function problemDetails(app: FastifyInstance): Promise<void> {
  app.addSchema(problemSchema)
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = problemOf(error, request)
    if (error.validation !== undefined) body.detail = `invalid request: ${error.message}`
    if (body.status >= 500) request.log.error({ err: error }, 'request failed')
    return sendProblem(reply, body)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
      instance: request.url.split('?')[0] ?? request.url,
    }),
  )
}

export const problemDetailsPlugin = fp(problemDetails, { name: 'problem-details', fastify: '5.x' })
