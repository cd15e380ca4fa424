/**
 * BullMQ boards: `/admin/queues` for operators (every action: retry, clean, promote, pause) and
 * `/admin/queues-read-only` in bull-board's read-only mode for viewers (and operators). Browsers
 * cannot send a bearer header on page loads, so a board also accepts `?token=<JWT>` once (it is
 * then kept in an HttpOnly, SameSite=Strict cookie scoped to that board's path) or that cookie.
 */
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import { WEBHOOK_DELIVERY_QUEUE_NAME } from '@event-analytics/contracts'
import { clusterQueuePrefix, type RedisClient, type RedisEndpoint } from '@event-analytics/ops'
import { Queue } from 'bullmq'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AuthError, type Principal, type TokenVerifier } from '../auth/verifier.js'
import { PROBLEM_CONTENT_TYPE, problemFor, sendProblem } from './problem-details.js'

export const BOARD_PATH = '/admin/queues'
export const READ_ONLY_BOARD_PATH = '/admin/queues-read-only'
export const BOARD_COOKIE = 'ea_board_token'

export interface BoardOptions {
  queues: readonly Queue[]
  verifier: TokenVerifier
  /** bull-board's read-only mode (viewers); otherwise every action (operators only). */
  readOnly: boolean
}

/** What the board needs to find the ingest queue: the workers' QUEUE_NAME and BULLMQ_PREFIX. */
export interface IngestQueueAddress {
  readonly queueName: string
  readonly queuePrefix: string
  readonly queueRedis: RedisEndpoint
}

/**
 * The ingest queue as the board shows it: the name and prefix the workers read from the same
 * variables, the prefix hash-tagged on a cluster as theirs is (clusterQueuePrefix). `connection`
 * is the board's own: BullMQ prefixes its keys itself.
 */
export function createIngestBoardQueue(address: IngestQueueAddress, connection: RedisClient): Queue {
  return new Queue(address.queueName, { connection, prefix: clusterQueuePrefix(address.queuePrefix, address.queueRedis) })
}

/** The webhook dispatcher's delivery queue, under the same BULLMQ_PREFIX (a job per delivery, delayed between attempts). */
export function createWebhookBoardQueue(address: Omit<IngestQueueAddress, 'queueName'>, connection: RedisClient): Queue {
  return new Queue(WEBHOOK_DELIVERY_QUEUE_NAME, { connection, prefix: clusterQueuePrefix(address.queuePrefix, address.queueRedis) })
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
  return sendProblem(reply, problemFor(request, status, detail))
}

/** Why `principal` may not use this board, or undefined when it may. */
function refusal(principal: Principal, readOnly: boolean): string | undefined {
  if (readOnly) return principal.viewer ? undefined : 'the read-only board needs a viewer or operator token'
  if (principal.operator) return undefined
  return principal.viewer ? `changing jobs needs an operator token; viewers use ${READ_ONLY_BOARD_PATH}` : 'the board is for operators only'
}

/** bull-board answers its errors as its own JSON (with a stack trace in development): fixed problem details instead. */
function boardDetail(status: number): string {
  if (status === 404) return 'no such queue, job or page on the board'
  if (status === 405) return `this board is read-only: changing jobs needs an operator token on ${BOARD_PATH}`
  if (status >= 500) return 'the board failed; the cause has been logged'
  return 'the board refused the request'
}

export async function boardPlugin(app: FastifyInstance, options: BoardOptions): Promise<void> {
  const path = options.readOnly ? READ_ONLY_BOARD_PATH : BOARD_PATH
  // Replies are sent from the hook rather than thrown: bull-board installs its own error
  // handler in its scope, which would turn a thrown 401 into a 500.
  app.addHook('onRequest', async (request, reply) => {
    const fromQuery = queryToken(request)
    const token = headerToken(request) ?? fromQuery ?? cookieToken(request)
    if (token === undefined) return deny(request, reply, 401, 'the board needs a token (Authorization: Bearer, ?token= or cookie)')
    let principal: Principal
    try {
      principal = await options.verifier(token)
    } catch (error) {
      return deny(request, reply, 401, error instanceof AuthError ? error.message : 'token cannot be verified')
    }
    const refused = refusal(principal, options.readOnly)
    if (refused !== undefined) return deny(request, reply, 403, refused)
    if (fromQuery !== undefined) {
      reply.header('set-cookie', `${BOARD_COOKIE}=${encodeURIComponent(fromQuery)}; Path=${path}; HttpOnly; SameSite=Strict`)
    }
    return undefined
  })
  app.addHook('onError', async (request, reply, error) => {
    if (reply.statusCode >= 500) request.log.error({ err: error }, 'board request failed')
  })
  app.addHook('onSend', async (request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '')
    if (reply.statusCode < 400 || type.startsWith(PROBLEM_CONTENT_TYPE)) return payload
    reply.type(PROBLEM_CONTENT_TYPE)
    return JSON.stringify(problemFor(request, reply.statusCode, boardDetail(reply.statusCode)))
  })
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(path)
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly })),
    serverAdapter,
  })
  await app.register(serverAdapter.registerPlugin())
}
