/**
 * BullMQ board for operators at /admin/queues. Browsers cannot send a bearer header on page
 * loads, so the board also accepts `?token=<JWT>` once (it is then kept in an HttpOnly,
 * SameSite=Strict cookie scoped to the board's path) or that cookie directly.
 */
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { Queue } from 'bullmq'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AuthError, type TokenVerifier } from '../auth/verifier.js'
import { sendProblem } from './problem-details.js'

export const BOARD_PATH = '/admin/queues'
export const BOARD_COOKIE = 'ea_board_token'

export interface BoardOptions {
  queues: readonly Queue[]
  verifier: TokenVerifier
}

function cookieToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === BOARD_COOKIE) return decodeURIComponent(value.join('='))
  }
  return undefined
}

function queryToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined
  const token = query?.['token']
  return typeof token === 'string' && token.length > 0 ? token : undefined
}

function headerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  return header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length).trim() : undefined
}

function deny(request: FastifyRequest, reply: FastifyReply, status: 401 | 403, detail: string): FastifyReply {
  const instance = request.url.split('?')[0] ?? request.url
  if (status === 401) reply.header('www-authenticate', 'Bearer')
  return sendProblem(reply, { type: 'about:blank', title: status === 401 ? 'Unauthorized' : 'Forbidden', status, detail, instance })
}

export async function boardPlugin(app: FastifyInstance, options: BoardOptions): Promise<void> {
  // Replies are sent from the hook rather than thrown: bull-board installs its own error
  // handler in its scope, which would turn a thrown 401 into a 500.
  app.addHook('onRequest', async (request, reply) => {
    const fromQuery = queryToken(request)
    const token = headerToken(request) ?? fromQuery ?? cookieToken(request)
    if (token === undefined) return deny(request, reply, 401, 'the board needs an operator token (Authorization: Bearer, ?token= or cookie)')
    try {
      const principal = await options.verifier(token)
      if (!principal.operator) return deny(request, reply, 403, 'the board is for operators only')
    } catch (error) {
      return deny(request, reply, 401, error instanceof AuthError ? error.message : 'token cannot be verified')
    }
    if (fromQuery !== undefined) {
      reply.header('set-cookie', `${BOARD_COOKIE}=${encodeURIComponent(fromQuery)}; Path=${BOARD_PATH}; HttpOnly; SameSite=Strict`)
    }
    return undefined
  })
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(BOARD_PATH)
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: false })),
    serverAdapter,
  })
  await app.register(serverAdapter.registerPlugin())
}
