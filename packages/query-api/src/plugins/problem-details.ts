/**
 * RFC 9457 problem details for EVERY error the API answers: thrown ProblemErrors, Fastify's
 * schema validation and content-type errors, rate limiting, unknown routes, the router's own
 * errors (`frameworkErrors`: bad URL encoding, over-long path parameter), errors of Node's HTTP
 * parser (`clientErrorHandler`: 400, 408, 431), and anything unexpected (500 with a generic
 * detail; the cause goes to the log only).
 *
 * A detail never repeats the request's URL, query or headers: Fastify's own messages do (the
 * whole 5 KB path of a 414), so framework errors get fixed details, and `instance` names the
 * request id (as logged) rather than the path.
 */
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { isDatabaseUnavailable } from '@event-analytics/db'
import fp from 'fastify-plugin'
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ProblemSchema } from '../wire/schemas.js'
import type { Problem } from '../wire/schemas.js'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

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

/** Fastify's messages for these codes quote the request (URL, content type): fixed words instead. */
const FRAMEWORK_DETAILS: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'the request path is not a valid percent-encoded URL',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is longer than the 100 characters any identifier can have',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'this content type is not accepted here',
  FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is larger than accepted',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'the request body does not match its Content-Length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'a JSON content type needs a body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'the request body is not valid JSON',
  FST_ERR_NOT_FOUND: 'no route matches this method and path (see /docs)',
}

/** Details of the HTTP parser's refusals (no Fastify request exists yet). */
const PARSER_DETAILS: Readonly<Record<string, readonly [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'the request line and headers are larger than the server accepts (16 KB)'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request was not received in time'],
}

/** A URN naming the request as the logs do (reqId), not its path: the path is the caller's input. */
export const instanceOf = (requestId: string): string => `urn:request:${requestId}`

function detailOf(error: FastifyError | ProblemError, status: number): string {
  if (error instanceof ProblemError) return error.message
  if (status === 503) return 'A dependency (PostgreSQL or Redis) is unavailable; retry later.'
  if (status >= 500) return 'An unexpected error occurred; it has been logged.'
  if (error.validation !== undefined) return `invalid request: ${error.message}`
  const code = typeof error.code === 'string' ? error.code : ''
  if (code.startsWith('FST_')) return FRAMEWORK_DETAILS[code] ?? 'the request cannot be processed'
  return error.message
}

function problemOf(error: FastifyError | ProblemError, request: FastifyRequest): Problem {
  const raw = error.statusCode
  const status = typeof raw === 'number' && raw >= 400 && raw <= 599 ? raw : isDatabaseUnavailable(error) ? 503 : 500 // PostgreSQL/Redis unreachable: retry later, not a bug
  return {
    type: error instanceof ProblemError ? error.type : 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: detailOf(error, status),
    instance: instanceOf(request.id),
  }
}

/** A problem of this request's own making (401/403 from hooks that reply instead of throwing). */
export function problemFor(request: FastifyRequest, status: number, detail: string): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, instance: instanceOf(request.id) }
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  if (body.status === 401) reply.header('www-authenticate', 'Bearer')
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body)
}

/** Fastify's `frameworkErrors` option: the router's refusals, before any route or hook runs. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // The option's handler returns nothing: the reply is sent here, not awaited by the router.
  void sendProblem(reply, problemOf(error, request))
}

/**
 * Fastify's `clientErrorHandler` option: Node's parser refused the bytes, so there is no request
 * to reply through; the response is written to the socket as Fastify's default handler does.
 */
export function clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, detail] = PARSER_DETAILS[error.code] ?? [400, 'the request is not valid HTTP/1.1']
  const title = STATUS_CODES[status] ?? 'Error'
  const body = JSON.stringify({ type: 'about:blank', title, status, detail, instance: instanceOf(randomUUID()) } satisfies Problem)
  this.log.debug({ err: error }, 'client error')
  if (!socket.writable) {
    socket.destroy(error)
    return
  }
  // end, not destroy: destroying a socket while the client is still sending (the rest of a 70 KB URL)
  // resets the connection, and the client may lose the response (it always does on Node 24). end()
  // sends it and then FIN; the client closes its side, and a client that does not is cut off later.
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref()
}

/** How long a connection the parser refused may stay open after its error response. */
const CLIENT_ERROR_LINGER_MS = 5_000

/**
 * The server's 'checkExpectation' listener: an `Expect` other than 100-continue. Without one,
 * Node answers 417 itself with an empty body, never reaching Fastify.
 */
export function expectationFailed(_request: IncomingMessage, response: ServerResponse): void {
  const body = JSON.stringify({
    type: 'about:blank',
    title: STATUS_CODES[417] ?? 'Expectation Failed',
    status: 417,
    detail: 'the only expectation this server meets is 100-continue',
    instance: instanceOf(randomUUID()),
  } satisfies Problem)
  response.writeHead(417, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) })
  response.end(body)
}

async function problemDetails(app: FastifyInstance): Promise<void> {
  app.addSchema(ProblemSchema)
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = problemOf(error, request)
    if (body.status >= 500) request.log.error({ err: error }, 'request failed')
    return sendProblem(reply, body)
  })
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problemFor(request, 404, FRAMEWORK_DETAILS['FST_ERR_NOT_FOUND']!)))
}

export const problemDetailsPlugin = fp(problemDetails, { name: 'problem-details', fastify: '5.x' })
