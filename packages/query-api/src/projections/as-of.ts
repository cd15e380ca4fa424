/**
 * `asOf` of a view: when the newest input applied to it happened (a message's occurredAt or a
 * channel-metrics snapshot's asOf), kept by the writers in `last_occurred_at` (db migration
 * 0005). It is the data's time, not the time the API read it: an ended campaign keeps the asOf
 * of its last message. null: nothing applied since 0005 could tell (rows older than it are
 * backfilled from what they remember).
 */
export function asOfOf(...instants: readonly (Date | null | undefined)[]): string | null {
  let newest: number | null = null
  for (const instant of instants) {
    if (instant === null || instant === undefined) continue
    newest = newest === null ? instant.getTime() : Math.max(newest, instant.getTime())
  }
  return newest === null ? null : new Date(newest).toISOString()
}
