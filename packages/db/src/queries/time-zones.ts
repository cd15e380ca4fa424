import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/**
 * The zone names (IANA zones and their links, current and old) the timeline may use: what
 * `AT TIME ZONE` resolves, minus files of the system zone directory that are not zone names
 * (`posix/*` and `right/*` copies, `localtime` = this server's own zone, `posixrules`) and
 * `Factory` (a placeholder zone meaning "not configured").
 */
export async function readTimeZoneNames<DB>(db: Kysely<DB>): Promise<string[]> {
  const result = await sql<{ name: string }>`
    SELECT name FROM pg_timezone_names
    WHERE name !~ '^(posix|right)/' AND name NOT IN ('localtime', 'posixrules', 'Factory')
    ORDER BY name`.execute(db)
  return result.rows.map((row) => row.name)
}
