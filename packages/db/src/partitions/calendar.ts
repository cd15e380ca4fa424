/**
 * UTC calendar arithmetic for partition bounds and names. Everything is UTC on purpose:
 * hour buckets are UTC hours (docs/SPEC.md section 4) and partition bounds must not depend on the
 * server's or the process's time zone.
 */

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

/** First instant of the UTC month containing `date`. */
export function utcMonthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1))
}

/** `monthStart` moved by `months` calendar months (UTC). */
export function addUtcMonths(monthStart: Date, months: number): Date {
  return new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + months, 1))
}

/** Month starts from the month of `from` to the month of `to`, both included. */
export function monthsBetween(from: Date, to: Date): Date[] {
  const months: Date[] = []
  const last = utcMonthStart(to).getTime()
  for (let month = utcMonthStart(from); month.getTime() <= last; month = addUtcMonths(month, 1)) {
    months.push(month)
  }
  return months
}

/** `timeline_data_p2019_03` for any instant in March 2019 UTC. */
export function timelinePartitionName(date: Date): string {
  return `timeline_data_p${pad(date.getUTCFullYear(), 4)}_${pad(date.getUTCMonth() + 1)}`
}

/** The UTC calendar day of `date` as `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
}

/** Parses `YYYY-MM-DD` into its UTC midnight, rejecting anything else. */
export function parseDay(day: string): Date {
  const match = ISO_DAY.exec(day)
  if (match === null) throw new Error(`not an ISO day: "${day}"`)
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
  if (utcDay(date) !== day) throw new Error(`not a calendar day: "${day}"`)
  return date
}

/** `day` moved by `days` days. */
export function addDays(day: string, days: number): string {
  const date = parseDay(day)
  date.setUTCDate(date.getUTCDate() + days)
  return utcDay(date)
}

/** `processed_messages_p2024_05_06` for the dedupe day 2024-05-06. */
export function dedupePartitionName(day: string): string {
  parseDay(day)
  return `processed_messages_p${day.replaceAll('-', '_')}`
}

/** Inverse of dedupePartitionName; undefined for any other table name (e.g. hand-made ones). */
export function dedupeDayOfPartition(tableName: string): string | undefined {
  const match = /^processed_messages_p(\d{4})_(\d{2})_(\d{2})$/.exec(tableName)
  return match === null ? undefined : `${match[1]}-${match[2]}-${match[3]}`
}

/** Start of the UTC hour of an epoch-millisecond instant, in epoch milliseconds: the timeline's bucket. */
export function utcHourMs(epochMs: number): number {
  return Math.floor(epochMs / 3_600_000) * 3_600_000
}

/** utcHour as a Date. */
export function utcHour(epochMs: number): Date {
  return new Date(utcHourMs(epochMs))
}
