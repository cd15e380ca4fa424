/**
 * The timeline cache field (the granularity is in the key): one field per distinct answer, not
 * per query string, so `2026-03-08` in Asia/Seoul, `2026-03-08T00:00+09:00` and
 * `2026-03-07T15:00:00Z` share one entry.
 *
 * An explicit bound is named by the instant `resolveRange` resolves it to; that instant depends
 * on the bound and the zone only (never on the data or the clock), and it is what the answer
 * echoes and is computed from. A missing bound stays empty: it resolves from the event's data
 * span inside the load, which the aggregator's invalidation keeps current.
 * The zone stays as given: the answer echoes it, so links (ROK, Asia/Seoul) answer differently.
 */
export function timelineCacheField(timeZone: string, from: Date | undefined, to: Date | undefined): string {
  return `tz=${timeZone}&from=${from?.toISOString() ?? ''}&to=${to?.toISOString() ?? ''}`
}
