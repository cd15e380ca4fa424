/**
 * The freshness line of the event view shows two things apart, so an owner reads them right:
 * "newest activity N ago" counts from the data's asOf (old for back-filled history or a quiet
 * campaign), "pipeline delay" is how long the newest commit took from the ingest worker reading
 * its messages (the pipeline's own health).
 */
import { fmt } from './format.js'

export interface Freshness {
  /** The newest applied activity (the data's own time), or null before any. */
  asOf: string | null
  /** When the newest applied messages were committed, or null when not known. */
  committedAt: string | null
  /** Seconds from reading the newest applied messages to committing them, or null. */
  delay: number | null
}

/** Writes `freshness` into `element` (text, tooltip, `data-as-of`), ages counted to `nowMs`. */
export function renderFreshness(element: HTMLElement, freshness: Freshness, tz: string, nowMs = Date.now()): void {
  const { asOf, committedAt, delay } = freshness
  const age = asOf === null ? null : (nowMs - Date.parse(asOf)) / 1000
  const parts = [age === null ? 'no activity yet' : `newest activity ${fmt.age(age)} ago`]
  const notes: string[] = []
  if (asOf !== null) notes.push(`Newest activity (the data's own time): ${fmt.dateTime(asOf, tz)}`)
  if (delay !== null) {
    parts.push(`pipeline delay ${fmt.delay(delay)}`)
    const at = committedAt === null ? '' : ` (committed ${fmt.dateTime(committedAt, tz)})`
    notes.push(`Pipeline delay: from reading the newest applied messages to committing them${at}`)
  }
  element.textContent = parts.join(' · ')
  element.title = notes.join('\n')
  element.dataset['asOf'] = asOf ?? ''
}
