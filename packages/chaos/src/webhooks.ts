/**
 * Webhook deliveries after faults: every alert transition owed to an owner's endpoint is
 * delivered (marked in the PostgreSQL outbox after a 2xx) and was accepted by the receiver with a
 * valid signature; none is given up, none reaches the receiver that the outbox does not owe.
 * Redeliveries of one key are allowed (at least once) and counted. The dispatcher retries with
 * its backoff and rebuilds its queue after Redis lost it, so the check waits for the outbox.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { auditWebhookDeliveries, type WebhookAudit } from '@event-analytics/db'
import type { Environment } from './environment.js'

export interface WebhookCheck {
  readonly problems: string[]
  readonly note: string
}

export async function checkWebhooks(env: Environment, timeoutMs = 60_000): Promise<WebhookCheck> {
  const deadline = Date.now() + timeoutMs
  let audit = await auditWebhookDeliveries(env.db)
  while (audit.pending > 0 && Date.now() < deadline) {
    await sleep(500)
    audit = await auditWebhookDeliveries(env.db)
  }
  return { problems: problems(audit, env), note: note(audit, env) }
}

function problems(audit: WebhookAudit, env: Environment): string[] {
  const { accepted, badSignatures } = env.receiver
  const delivered = new Set(audit.deliveredKeys)
  const found: string[] = []
  if (audit.pending > 0) found.push(`${audit.pending} webhook deliveries still owed`)
  if (audit.givenUp > 0) found.push(`${audit.givenUp} webhook deliveries given up`)
  const unseen = audit.deliveredKeys.filter((key) => !accepted.has(key))
  if (unseen.length > 0) found.push(`marked delivered, never accepted by the receiver: ${unseen.slice(0, 5).join(', ')}`)
  const unowed = [...accepted.keys()].filter((key) => !delivered.has(key))
  if (unowed.length > 0) found.push(`accepted by the receiver, not owed or not marked delivered: ${unowed.slice(0, 5).join(', ')}`)
  if (badSignatures.length > 0) found.push(`webhooks with a bad signature: ${badSignatures.slice(0, 5).join(', ')}`)
  return found
}

function note(audit: WebhookAudit, env: Environment): string {
  const redelivered = [...env.receiver.accepted.values()].reduce((sum, count) => sum + count - 1, 0)
  return `webhooks: ${audit.owed} owed, ${audit.deliveredKeys.length} delivered (${redelivered} redelivered, ${env.receiver.refused} first attempts refused with 503 on purpose)`
}
