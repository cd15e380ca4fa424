import type { FastifyReply } from 'fastify'

/**
 * Runs a route's answer, which ends in `reply.send`, for a handler that returns nothing:
 * `(request, reply) => answer(reply, async () => ...)`.
 *
 * Fastify takes a synchronous handler's `undefined` as "answered elsewhere". An async handler
 * that sends by itself must instead await or return the reply (a thenable) until the response
 * has ended, or Fastify takes its `undefined` for a body: that costs a listener on the response,
 * a promise and a turn of the microtask queue on every request, the cached ones included. A
 * rejection goes to Fastify's error handler, as a thrown error would.
 */
export function answer(reply: FastifyReply, work: () => Promise<void>): void {
  work().catch((error: unknown) => reply.send(error))
}
