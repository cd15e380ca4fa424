/**
 * The topic audit's verdict, without I/O: every message Kafka holds must be in exactly one
 * place, applied (its message id claimed in PostgreSQL) or dead-lettered (a letter naming its
 * topic, partition and offset and carrying its very bytes). Messages at or past the group's
 * committed offset are still in flight, not missing.
 */

export interface SourceMessage {
  readonly offset: string
  /** SHA-256 of the value as Kafka holds it: a dead letter carries the same bytes. */
  readonly valueDigest: string
  /** The decoded message id; null when the message does not decode (it must be dead-lettered). */
  readonly messageId: string | null
}

export interface PartitionHoldings {
  readonly topic: string
  readonly partition: number
  readonly messages: readonly SourceMessage[]
  /** The group's committed offset; -1 when it committed nothing. */
  readonly committed: bigint
}

export interface AuditedMessage {
  readonly offset: string
  readonly messageId: string | null
}

export interface PartitionAudit {
  readonly topic: string
  readonly partition: number
  readonly held: number
  readonly applied: number
  readonly deadLettered: number
  /** At or past the committed offset: the pipeline has not finished with them yet. */
  readonly inFlight: number
  /** Below the committed offset and in neither place: lost. */
  readonly missing: readonly AuditedMessage[]
  /** Applied and dead-lettered both. */
  readonly inBoth: readonly AuditedMessage[]
}

/** `topic|partition|offset` -> the value digests of the dead letters naming that place. */
export type DeadLetterIndex = ReadonlyMap<string, readonly string[]>

export function deadLetterPlace(topic: string, partition: number | string, offset: string): string {
  return `${topic}|${partition}|${offset}`
}

export function reconcile(holdings: PartitionHoldings, deadLetters: DeadLetterIndex, claimed: ReadonlySet<string>): PartitionAudit {
  let applied = 0
  let deadLettered = 0
  let inFlight = 0
  const missing: AuditedMessage[] = []
  const inBoth: AuditedMessage[] = []
  for (const message of holdings.messages) {
    const isApplied = message.messageId !== null && claimed.has(message.messageId)
    const letters = deadLetters.get(deadLetterPlace(holdings.topic, holdings.partition, message.offset)) ?? []
    const isDeadLettered = letters.includes(message.valueDigest)
    const audited = { offset: message.offset, messageId: message.messageId }
    if (isApplied && isDeadLettered) inBoth.push(audited)
    if (isApplied) applied += 1
    else if (isDeadLettered) deadLettered += 1
    else if (BigInt(message.offset) >= holdings.committed) inFlight += 1
    else missing.push(audited)
  }
  return {
    topic: holdings.topic,
    partition: holdings.partition,
    held: holdings.messages.length,
    applied,
    deadLettered,
    inFlight,
    missing,
    inBoth,
  }
}

export function auditPassed(audits: readonly PartitionAudit[]): boolean {
  return audits.every((audit) => audit.missing.length === 0 && audit.inBoth.length === 0)
}

/** One line per partition, then every message found in neither place or in both. */
export function formatAudit(audits: readonly PartitionAudit[]): string {
  const lines = audits.map(
    (a) =>
      `${a.topic} [${a.partition}]  held ${a.held}  applied ${a.applied}  dead-lettered ${a.deadLettered}  in flight ${a.inFlight}  missing ${a.missing.length}${a.inBoth.length > 0 ? `  in both ${a.inBoth.length}` : ''}`,
  )
  for (const audit of audits) {
    for (const m of audit.missing)
      lines.push(`MISSING ${audit.topic} [${audit.partition}] offset ${m.offset} message ${m.messageId ?? '(undecodable)'}`)
    for (const m of audit.inBoth) lines.push(`IN BOTH ${audit.topic} [${audit.partition}] offset ${m.offset} message ${m.messageId ?? '?'}`)
  }
  return lines.join('\n')
}
