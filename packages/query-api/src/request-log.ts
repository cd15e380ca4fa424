import type { FastifyRequest } from 'fastify'
import type { Logger } from '@event-analytics/ops'

/**
 * Query parameters that carry credentials: the board's first page load (`?token=<JWT>`, then a
 * cookie) and the dashboard's sign-in link (`?code=`). Logs are shipped and kept far longer
 * than a token lives, and by more people than may hold one.
 */
const CREDENTIAL_PARAMS = /([?&](?:token|code)=)[^&#]*/gi

export function redactCredentials(url: string): string {
  return url.replace(CREDENTIAL_PARAMS, '$1[redacted]')
}

/** Fastify's request serializer (same fields), with credentials cut from the URL. */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactCredentials(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}

/** The logger Fastify logs requests with: pino applies a child's serializers before Fastify's defaults. */
export function withRedactedRequests(logger: Logger): Logger {
  return logger.child({}, { serializers: { req: serializeRequest } })
}
