import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { addDays, utcDay } from '../partitions/calendar.js'
import { ensureDedupePartition } from '../partitions/dedupe.js'
import { tableExists } from '../partitions/ddl.js'
import type { DdlOptions } from '../partitions/ddl.js'
import type { Database } from '../schema/types.js'

export interface RollResult {
  /** The epoch day after the call (`YYYY-MM-DD`). */
  currentDay: string
  /** True when this call moved the epoch forward. */
  rolled: boolean
}

/** Last day each Kysely instance rolled to: repeated calls on the same day cost nothing. */
const rolledTo = new WeakMap<object, string>()

/**
 * Moves the dedupe epoch forward to the UTC day of `now` (never backward, so a process with a
 * slow clock is harmless). Creates that day's partition and the next day's first, so claims
 * never meet a missing partition and the midnight roll is a bare UPDATE. The roll waits for
 * every in-flight batch holding the epoch FOR SHARE (and holds new ones back), which is what
 * lets later batches see their rows. Call it outside any transaction, e.g. before each batch or once a minute.
 */
export async function rollDedupeEpoch(
  db: Kysely<Database>,
  now: Date,
  options: DdlOptions & { rollLockTimeoutMs?: number } = {},
): Promise<RollResult> {
  if (db.isTransaction) throw new Error('rollDedupeEpoch must not run inside a transaction')
  const today = utcDay(now)
  if (rolledTo.get(db) === today) return { currentDay: today, rolled: false }
  await ensureDedupePartition(db, today, options)
  await ensureDedupePartition(db, addDays(today, 1), options)
  const result: RollResult = await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('dedupe_epoch').select('current_day').executeTakeFirstOrThrow()
    if (before.current_day >= today) return { currentDay: before.current_day, rolled: false }
    // Bounded wait: while this lock request waits, new batches queue behind it.
    await sql`SELECT set_config('lock_timeout', ${String(options.rollLockTimeoutMs ?? 10_000)}, true)`.execute(trx)
    // A table lock, not just the row UPDATE: row share locks let newcomers jump the queue and
    // could starve the roll forever under steady load, while table lock requests queue
    // fairly. EXCLUSIVE conflicts with the ROW SHARE lock each batch's FOR SHARE takes.
    await sql`LOCK TABLE dedupe_epoch IN EXCLUSIVE MODE`.execute(trx)
    const update = await trx.updateTable('dedupe_epoch').set({ current_day: today }).where('current_day', '<', today).executeTakeFirst()
    // Every batch that claimed into the old day has committed (the lock waited for them): the
    // clock now is later than all its claims. clock_timestamp(), not now(): the lock may have
    // waited. A schema before 0015 has no closures (the claims then look in every older day).
    if (update.numUpdatedRows > 0n && (await tableExists<Database>(trx, 'dedupe_closures')))
      await trx
        .insertInto('dedupe_closures')
        .values({ day: before.current_day, closed_at: sql<Date>`clock_timestamp()` })
        .onConflict((oc) => oc.column('day').doNothing())
        .execute()
    return { currentDay: today, rolled: update.numUpdatedRows > 0n }
  })
  if (result.currentDay >= today) rolledTo.set(db, today)
  return result
}
