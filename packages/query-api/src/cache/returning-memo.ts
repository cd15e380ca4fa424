/**
 * The returning split of an event (packages/db `readEventReturning`) costs an index probe per
 * participant, the dearest part of a dashboard read, yet it changes only when a fold commits or the
 * owner gains an event. Each read first asks PostgreSQL for the split's version
 * (`readReturningVersion`, one row) and reuses the split computed under the same version; the cost
 * per new participant is read fresh, since it follows the investment. The owner summary's split of
 * all the owner's events (`readUserEventsReturning`, which ranks every participation of the owner)
 * is kept the same way, under the owner's version (`readOwnerReturningVersion`).
 *
 * The version is read before the split, so a fold committing in between stores a newer split under
 * an older version: the next read, with the newer version, computes it again. Never an older split.
 */
import {
  readCostPerNewParticipant,
  readEventReturning,
  readOwnerReturningVersion,
  readReturningVersion,
  readUserEventsReturning,
} from '@event-analytics/db'
import type { Database, EventReturningRow, OwnerReturning } from '@event-analytics/db'
import type { Kysely } from 'kysely'
import { LRUCache } from 'lru-cache'

/** Events whose split is kept, and owners whose summary split is kept (default, each). */
export const DEFAULT_RETURNING_MEMO_ENTRIES = 10_000

interface Memo<T> {
  readonly version: string
  readonly split: T
}

export class ReturningMemo {
  private readonly memos: LRUCache<string, Memo<EventReturningRow>>
  private readonly owners: LRUCache<string, Memo<OwnerReturning>>

  constructor(maxEntries = DEFAULT_RETURNING_MEMO_ENTRIES) {
    this.memos = new LRUCache({ max: maxEntries })
    this.owners = new LRUCache({ max: maxEntries })
  }

  /** readUserEventsReturning, reused while the owner's version holds. */
  async readOwner(db: Kysely<Database>, userId: string): Promise<OwnerReturning> {
    const version = await readOwnerReturningVersion(db, userId)
    const memo = this.owners.get(userId)
    if (memo?.version === version) return memo.split
    const split = await readUserEventsReturning(db, userId)
    this.owners.set(userId, { version, split })
    return split
  }

  async read(db: Kysely<Database>, eventId: string): Promise<EventReturningRow> {
    const version = await readReturningVersion(db, eventId)
    const memo = this.memos.get(eventId)
    if (version !== null && memo?.version === version) {
      const cost = await readCostPerNewParticipant(db, eventId, memo.split.new_participants)
      return { ...memo.split, cost_per_new_participant: cost }
    }
    const split = await readEventReturning(db, eventId)
    if (version !== null) this.memos.set(eventId, { version, split })
    return split
  }
}
