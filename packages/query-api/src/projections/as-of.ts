/**
 * `asOf` of a view: when the newest input applied to it happened (a message's occurredAt or a
 * channel-metrics snapshot's asOf), kept by the writers in `last_occurred_at` (db migrations
 * 0005, 0009). It is the data's time, not the time the API read it: an ended campaign keeps the
 * asOf of its last message. Never in the future: an input dated ahead counts as of the commit
 * that applied it (docs/SPEC.md section 9). null: nothing applied since 0005 could tell (rows
 * older than it are backfilled from what they remember).
 */
export function asOfOf(...instants: readonly (Date | null | undefined)[]): string | null {
  let newest: number | null = null
  for (const instant of instants) {
    if (instant === null || instant === undefined) continue
    newest = newest === null ? instant.getTime() : Math.max(newest, instant.getTime())
  }
  return newest === null ? null : new Date(newest).toISOString()
}

/**
 * The pipeline's own delay at the event's newest commit, in seconds: commit time minus when the
 * ingest worker read the messages it applied (db migration 0009). Apart from the data's age: a
 * back-filled message is old data and a short delay. null when either time is unknown. Clamped
 * at 0: the read time comes from the ingest worker's clock, the commit time from PostgreSQL's.
 */
export function pipelineDelaySecondsOf(committedAt: Date | null, ingestReadAt: Date | null): number | null {
  if (committedAt === null || ingestReadAt === null) return null
  return Math.max(0, committedAt.getTime() - ingestReadAt.getTime()) / 1000
}
