/**
 * Numbers for the reader's locale (Intl.NumberFormat). Money is KRW unless `?currency=` says
 * otherwise; the API's decimals are strings and go to Intl as strings (exact, no float).
 */
const locale = navigator.language || 'ko-KR'
const currency = new URLSearchParams(location.search).get('currency') ?? 'KRW'

const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })
const money = new Intl.NumberFormat(locale, { style: 'currency', currency })
const percent = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 })

type Decimal = `${number}` | string

/** Intl formats numeric strings exactly (ES2023); the cast only narrows TypeScript's view of it. */
const exact = (value: Decimal): Intl.StringNumericLiteral => value as Intl.StringNumericLiteral

export const fmt = {
  count: (value: number | bigint): string => integer.format(value),
  compact: (value: number): string => compact.format(value),
  money: (value: Decimal): string => money.format(exact(value)),
  /** A percent the API rendered ("12.50") as "12.50%"; null as an em dash. */
  percent: (value: Decimal | null): string => (value === null ? '—' : `${percent.format(exact(value))}%`),
  orDash: (value: Decimal | null, format: (value: Decimal) => string): string => (value === null ? '—' : format(value)),
  /** "newest activity 12 s ago" style age. */
  age: (seconds: number): string => {
    if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`
    if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`
    return `${Math.round(seconds / 86_400)} d`
  },
  /** A pipeline delay: tenths of a second while short ("0.4 s"), then like an age. */
  delay: (seconds: number): string => (seconds < 10 ? `${Math.max(0, seconds).toFixed(1)} s` : fmt.age(seconds)),
  dateTime: (iso: string, timeZone?: string): string =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone === undefined ? {} : { timeZone }) }).format(
      new Date(iso),
    ),
}
