import { sql } from 'kysely'
import type { RawBuilder } from 'kysely'

/**
 * The time an applied input counts as for `last_occurred_at` (the views' asOf), docs/SPEC.md
 * section 9: its own time, but one dated ahead (valid up to 24 h, section 3) counts as of the
 * commit that applied it, so asOf is never in the future. now() is the transaction's time: every
 * row one transaction writes is clamped to the same instant (a channel's asOf never passes its
 * event's), and no reader sees the rows before it.
 */
export function inputTime(instant: RawBuilder<unknown>): RawBuilder<Date> {
  return sql<Date>`LEAST(${instant}, now())`
}
