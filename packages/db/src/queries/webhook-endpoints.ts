/** The owners' webhook endpoints: registered, listed, deleted (kept for the delivery log). */
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'

export interface WebhookEndpoint {
  id: number
  userId: string
  url: string
  createdAt: Date
}

export interface NewWebhookEndpoint {
  userId: string
  url: string
  /** The signing key (whsec_...): stored as is, since it must sign; never read back by the API. */
  secret: string
}

export async function createWebhookEndpoint(db: Kysely<Database>, endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint> {
  const row = await db
    .insertInto('webhook_endpoints')
    .values({ user_id: endpoint.userId, url: endpoint.url, secret: endpoint.secret })
    .returning(['id', 'user_id', 'url', 'created_at'])
    .executeTakeFirstOrThrow()
  return { id: row.id, userId: row.user_id, url: row.url, createdAt: row.created_at }
}

/** The owner's live endpoints, oldest first; never the secrets. */
export async function listWebhookEndpoints(db: Kysely<Database>, userId: string): Promise<WebhookEndpoint[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'user_id', 'url', 'created_at'])
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute()
  return rows.map((row) => ({ id: row.id, userId: row.user_id, url: row.url, createdAt: row.created_at }))
}

export async function countWebhookEndpoints(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/**
 * Stops every delivery to the endpoint: marked deleted (its log stays readable) and its pending
 * deliveries given up. False when the owner has no such live endpoint.
 */
export async function deleteWebhookEndpoint(db: Kysely<Database>, userId: string, id: number): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const deleted = await tx
      .updateTable('webhook_endpoints')
      .set({ deleted_at: new Date() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('deleted_at', 'is', null)
      .returning('id')
      .executeTakeFirst()
    if (deleted === undefined) return false
    await tx
      .updateTable('webhook_deliveries')
      .set({ given_up_at: new Date(), last_error: 'the endpoint was deleted' })
      .where('endpoint_id', '=', id)
      .where('delivered_at', 'is', null)
      .where('given_up_at', 'is', null)
      .execute()
    return true
  })
}
