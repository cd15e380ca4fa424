import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../schema/types.js'

/** The alert store checked against its own invariants: what an operator or the chaos suite reads after faults. */
export interface AlertAudit {
  readonly opened: number
  readonly resolved: number
  /** Keys (event, rule, channel) with more than one open alert. */
  readonly doubledOpen: readonly string[]
  /** Alerts whose transitions are not exactly one `open` and, when resolved, one `resolved`; or transitions without an alert. */
  readonly badTransitions: readonly string[]
}

export async function auditAlerts(db: Kysely<Database>): Promise<AlertAudit> {
  const counts = await sql<{ opened: number; resolved: number }>`
    SELECT count(*)::bigint AS opened, count(*) FILTER (WHERE state = 'resolved')::bigint AS resolved FROM alerts`.execute(db)
  const doubled = await sql<{ key: string }>`
    SELECT concat_ws('|', event_id, rule, coalesce(channel_name, '')) AS key
    FROM alerts WHERE state = 'open'
    GROUP BY event_id, rule, coalesce(channel_name, '') HAVING count(*) > 1`.execute(db)
  const bad = await sql<{ what: string }>`
    SELECT concat('alert ', a.id, ' (', a.state, '): ', count(t.id) FILTER (WHERE t.state = 'open'), ' open and ',
                  count(t.id) FILTER (WHERE t.state = 'resolved'), ' resolved transitions') AS what
    FROM alerts a LEFT JOIN alert_transitions t ON t.alert_id = a.id
    GROUP BY a.id, a.state
    HAVING count(t.id) FILTER (WHERE t.state = 'open') <> 1
        OR count(t.id) FILTER (WHERE t.state = 'resolved') <> (a.state = 'resolved')::int
    UNION ALL
    SELECT concat('transition ', t.id, ' names no alert (', t.alert_id, ')')
    FROM alert_transitions t LEFT JOIN alerts a ON a.id = t.alert_id WHERE a.id IS NULL`.execute(db)
  const [row] = counts.rows
  return {
    opened: row?.opened ?? 0,
    resolved: row?.resolved ?? 0,
    doubledOpen: doubled.rows.map((r) => r.key),
    badTransitions: bad.rows.map((r) => r.what),
  }
}
