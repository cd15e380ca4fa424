/**
 * Alerts after faults. The store must keep its invariants (one open alert per key, each alert
 * opened once and resolved at most once, in the outbox as in the table), and no alert may be
 * lost: for the rules that read stored data only (a channel's cost, pace, projected ROI; not the
 * ones that move with the clock), what is open must converge on what the rules want of the final
 * data. The evaluator runs beside the batches and on its clock, so the check waits for it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { alertKey, channelCostHigh, paceLow, roiProjectedLow, wantedAlerts } from '@event-analytics/aggregator'
import { auditAlerts, readAlertFacts, readOpenAlerts, type Database } from '@event-analytics/db'
import type { Kysely } from 'kysely'

const DATA_RULES = [channelCostHigh, paceLow, roiProjectedLow]
const DATA_RULE_NAMES = new Set<string>(DATA_RULES.map((rule) => rule.rule))

export interface AlertCheck {
  readonly problems: string[]
  /** What the run produced, for the report: a check over no alert at all proves little. */
  readonly note: string
}

export async function checkAlerts(db: Kysely<Database>, eventIds: readonly string[], timeoutMs = 30_000): Promise<AlertCheck> {
  const deadline = Date.now() + timeoutMs
  let difference = await dataRuleDifference(db, eventIds)
  while (difference.length > 0 && Date.now() < deadline) {
    await sleep(500)
    difference = await dataRuleDifference(db, eventIds)
  }
  const audit = await auditAlerts(db)
  const problems = [
    ...difference.map((line) => `alert not converged after ${timeoutMs / 1000} s: ${line}`),
    ...audit.doubledOpen.map((key) => `two open alerts for ${key}`),
    ...audit.badTransitions.map((line) => `alert outbox: ${line}`),
  ]
  return { problems, note: `alerts: ${audit.opened} opened, ${audit.resolved} resolved, each transition once` }
}

/** "wanted, not open" and "open, not wanted" for the data-only rules, as readable lines. */
async function dataRuleDifference(db: Kysely<Database>, eventIds: readonly string[]): Promise<string[]> {
  const now = new Date()
  const wanted = new Set(
    (await readAlertFacts(db, eventIds)).flatMap((event) => wantedAlerts(event, now, DATA_RULES)).map((finding) => alertKey(finding)),
  )
  const open = new Set(
    (await readOpenAlerts(db, eventIds))
      .filter((alert) => DATA_RULE_NAMES.has(alert.rule))
      .map((alert) => alertKey({ eventId: alert.event_id, rule: alert.rule, channelName: alert.channel_name })),
  )
  return [
    ...[...wanted].filter((key) => !open.has(key)).map((key) => `${key} wanted, not open`),
    ...[...open].filter((key) => !wanted.has(key)).map((key) => `${key} open, not wanted`),
  ]
}
