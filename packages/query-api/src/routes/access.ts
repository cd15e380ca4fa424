/**
 * Event-scoped reads: visibility (EventCreated applied), ownership and the cache, in one
 * place. A missing, invisible or foreign event all answer the same 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Database, EventStatsRow } from '@event-analytics/db'
import { readVisibleEvent } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import { canRead } from '../plugins/auth.js'
import { notFound } from '../plugins/problem-details.js'

/** What the cache holds for an event-scoped projection: the owner rides along for the check. */
export interface OwnedBody<T> {
  owner: string | null
  body: T
}

class OwnedFailure extends Error {
  constructor(
    readonly owner: string | null,
    override readonly cause: unknown,
  ) {
    super('failure inside an event projection')
  }
}

export interface EventReadSpec<T> {
  projection: string
  key: string
  field?: string
  build: (event: EventStatsRow) => Promise<T>
}

export async function readEventProjection<T>(
  app: FastifyInstance,
  db: Kysely<Database>,
  request: FastifyRequest<{ Params: { eventId: string } }>,
  reply: FastifyReply,
  spec: EventReadSpec<T>,
): Promise<T> {
  const { eventId } = request.params
  const result = await app.projectionCache
    .get<OwnedBody<T>>({
    projection: spec.projection,
    key: spec.key,
    ...(spec.field === undefined ? {} : { field: spec.field }),
    load: async () => {
      const event = await readVisibleEvent(db, eventId)
      if (event === undefined) throw notFound(`event ${eventId}`)
      try {
        return { owner: event.user_id, body: await spec.build(event) }
      } catch (error) {
        throw new OwnedFailure(event.user_id, error)
      }
    },
  })
    .catch((error: unknown) => {
      // A failure inside an existing event (e.g. unknown channel) is only revealed to its readers.
      if (!(error instanceof OwnedFailure)) throw error
      if (!canRead(request.principal, error.owner)) throw notFound(`event ${eventId}`)
      throw error.cause
    })
  const { value, hit } = result
  if (!canRead(request.principal, value.owner)) throw notFound(`event ${eventId}`)
  reply.header('x-cache', hit ? 'hit' : 'miss')
  return value.body
}
