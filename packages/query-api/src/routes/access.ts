/**
 * Event-scoped reads: visibility (EventCreated applied), ownership and the cache, in one
 * place. A missing, invisible or foreign event all answer the same 404.
 *
 * The cache holds the body already serialised through the route's response schema, with its
 * ETag (see cache/owned-entry.ts); the route answers that text as is, on a hit and on a miss.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Database, EventReadRow } from '@event-analytics/db'
import { readVisibleEvent, withLiveSet } from '@event-analytics/db'
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

export class OwnedFailure extends Error {
  constructor(
    readonly owner: string | null,
    override readonly cause: unknown,
  ) {
    super('failure inside an event projection')
  }
}

export interface EventReadSpec<T> {
  eventId: string
  projection: string
  key: string
  field?: string
  /** Reads with `db`: the live projection set, in the same transaction as the event's row. */
  build: (event: EventReadRow, db: Kysely<Database>) => Promise<T>
}

/** Serialises a body to JSON text (a route's response-schema serializer). */
export type BodySerializer = (body: unknown) => string

/** Serialises with the route's response schema (what Fastify would send) and tags the text. */
function ownedEntry(serialize: BodySerializer, owner: string | null, body: unknown): OwnedEntry {
  const text = serialize(body)
  return { owner, etag: etagOf(text), body: text }
}

/**
 * The route's own serializer (schema serialisers return strings; the wider type covers custom ones).
 * A route that also answers CSV has its 200 keyed by media type (schemas.ts' JsonOrCsv), which
 * `reply.serialize` cannot pick from: the JSON one writes the body (the CSV plugin renders it later).
 */
export function replySerializer(reply: FastifyReply): BodySerializer {
  return (body) => {
    const json = reply.getSerializationFunction(String(reply.statusCode), 'application/json')
    const serialised = json === undefined ? reply.serialize(body) : json(body as Record<string, unknown>)
    return typeof serialised === 'string' ? serialised : new TextDecoder().decode(serialised)
  }
}

/** An entry in the current layout, or one written as `{owner, body}` before it (until its TTL ends). */
function entryOf(serialize: BodySerializer, text: string): OwnedEntry {
  const entry = decodeOwnedEntry(text)
  if (entry !== undefined) return entry
  const legacy = JSON.parse(text) as OwnedBody
  return ownedEntry(serialize, legacy.owner, legacy.body)
}

/**
 * The event's projection entry (owner, ETag, serialised body) through the cache, with NO owner
 * check: callers check `canRead` on the owner before they reveal anything (the live streams
 * share one load between every client of an event). An invisible event is a 404; a failure
 * inside a visible one is an OwnedFailure (its owner decides whether it may be shown).
 */
export async function loadEventEntry<T>(
  app: FastifyInstance,
  db: Kysely<Database>,
  spec: EventReadSpec<T>,
  serialize: BodySerializer,
): Promise<{ entry: OwnedEntry; hit: boolean }> {
  const { eventId } = spec
  const result = await app.projectionCache.getDecoded({
    projection: spec.projection,
    key: spec.key,
    ...(spec.field === undefined ? {} : { field: spec.field }),
    // Every event-scoped key is invalidated with its event's announcement: the local layer may hold it.
    eventId,
    // Decoded once per in-process copy: hits share the entry (nobody mutates it).
    decode: (text) => entryOf(serialize, text),
    // One transaction on the live projection set (withLiveSet): a switch never mixes two sets in one body.
    load: () =>
      withLiveSet(db, async (live) => {
        const event = await readVisibleEvent(live, eventId)
        if (event === undefined) throw notFound(`event ${eventId}`)
        try {
          return encodeOwnedEntry(ownedEntry(serialize, event.user_id, await spec.build(event, live)))
        } catch (error) {
          throw new OwnedFailure(event.user_id, error)
        }
      }),
  })
  return { entry: result.value, hit: result.hit }
}

/**
 * Sends the event's projection after the visibility and owner checks; resolves once it is handed
 * to `reply.send`, not once it is written: handlers call it through `answer` (answering.ts).
 * The text was serialised by this route's response schema (replySerializer), so it goes out as is.
 */
export async function sendEventProjection<T>(
  app: FastifyInstance,
  db: Kysely<Database>,
  reply: FastifyReply,
  spec: EventReadSpec<T>,
): Promise<void> {
  const { eventId } = spec
  const { request } = reply
  const { entry, hit } = await loadEventEntry(app, db, spec, replySerializer(reply)).catch((error: unknown) => {
    // A failure inside an existing event (e.g. unknown channel) is only revealed to its readers.
    if (!(error instanceof OwnedFailure)) throw error
    if (!canRead(request.principal, error.owner)) throw notFound(`event ${eventId}`)
    throw error.cause
  })
  if (!canRead(request.principal, entry.owner)) throw notFound(`event ${eventId}`)
  // The etag plugin uses this tag instead of hashing the payload again (and answers 304 on a match).
  reply
    .header('x-cache', hit ? 'hit' : 'miss')
    .header('etag', entry.etag)
    .type(JSON_CONTENT_TYPE)
    .send(entry.body)
}

/** Sends JSON text a route's serializer wrote (replySerializer) as is, from a handler's `answer` (answering.ts). */
export function sendSerialized(reply: FastifyReply, text: string, hit: boolean): void {
  reply
    .header('x-cache', hit ? 'hit' : 'miss')
    .type(JSON_CONTENT_TYPE)
    .send(text)
}
