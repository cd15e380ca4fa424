/**
 * Event-scoped reads: visibility (EventCreated applied), ownership and the cache, in one
 * place. A missing, invisible or foreign event all answer the same 404.
 *
 * The cache holds the body already serialised through the route's response schema, with its
 * ETag (see cache/owned-entry.ts); the route answers that text as is, on a hit and on a miss.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Database, EventStatsRow } from '@event-analytics/db'
import { readVisibleEvent } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import { decodeOwnedEntry, encodeOwnedEntry } from '../cache/owned-entry.js'
import type { OwnedEntry } from '../cache/owned-entry.js'
import { canRead } from '../plugins/auth.js'
import { etagOf } from '../plugins/etag.js'
import { notFound } from '../plugins/problem-details.js'

/** The content type Fastify gives a serialised JSON body; set explicitly because we send text. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

/** What the cache held before the body was stored serialised: the owner rides along for the check. */
interface OwnedBody {
  owner: string | null
  body: unknown
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

/** Serialises with the route's response schema (what Fastify would send) and tags the text. */
function ownedEntry(reply: FastifyReply, owner: string | null, body: unknown): OwnedEntry {
  const serialised = reply.serialize(body)
  // Schema serialisers return strings; the wider type covers custom serialisers only.
  const text = typeof serialised === 'string' ? serialised : new TextDecoder().decode(serialised)
  return { owner, etag: etagOf(text), body: text }
}

/** An entry in the current layout, or one written as `{owner, body}` before it (until its TTL ends). */
function entryOf(reply: FastifyReply, text: string): OwnedEntry {
  const entry = decodeOwnedEntry(text)
  if (entry !== undefined) return entry
  const legacy = JSON.parse(text) as OwnedBody
  return ownedEntry(reply, legacy.owner, legacy.body)
}

/** Sends the event's projection (serialised text) after the visibility and owner checks. */
export async function readEventProjection<T>(
  app: FastifyInstance,
  db: Kysely<Database>,
  request: FastifyRequest<{ Params: { eventId: string } }>,
  reply: FastifyReply,
  spec: EventReadSpec<T>,
): Promise<string> {
  const { eventId } = request.params
  const result = await app.projectionCache
    .getText({
    projection: spec.projection,
    key: spec.key,
    ...(spec.field === undefined ? {} : { field: spec.field }),
    load: async () => {
      const event = await readVisibleEvent(db, eventId)
      if (event === undefined) throw notFound(`event ${eventId}`)
      try {
        return encodeOwnedEntry(ownedEntry(reply, event.user_id, await spec.build(event)))
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
  const entry = entryOf(reply, result.value)
  if (!canRead(request.principal, entry.owner)) throw notFound(`event ${eventId}`)
  // The etag plugin uses this tag instead of hashing the payload again (and answers 304 on a match).
  reply.header('x-cache', result.hit ? 'hit' : 'miss').header('etag', entry.etag).type(JSON_CONTENT_TYPE)
  return entry.body
}
