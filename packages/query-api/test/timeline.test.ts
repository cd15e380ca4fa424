import t from 'tap'
import { ensureTimelinePartitions } from '@event-analytics/db'
import type { NewTimelineData } from '@event-analytics/db'
import { bearer, createHarness } from './helpers.js'

const h = await createHarness(t)
const { db } = h.testDb
const HOUR = 3_600_000
await db
  .insertInto('event_stats')
  .values({ event_id: 'evt-t', user_id: 'owner-t', title: 'Timeline', event_created_at: new Date('2026-03-01T00:00:00Z') })
  .execute()
await ensureTimelinePartitions(db, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z'))

/** Hourly rows with gaps (a whole empty stretch, and every 11th hour) and a running cumulative. */
function hourlyRows(fromIso: string, toIso: string, gap: [string, string]): NewTimelineData[] {
  const rows: NewTimelineData[] = []
  let cumulative = 0
  for (let at = Date.parse(fromIso), i = 0; at < Date.parse(toIso); at += HOUR, i += 1) {
    if (i % 11 === 0 || (at >= Date.parse(gap[0]) && at < Date.parse(gap[1]))) continue
    const participants = (i % 5) + 1
    cumulative += participants
    rows.push({
      event_id: 'evt-t',
      timestamp: new Date(at),
      participants,
      views: i % 7,
      engagement: i % 3,
      conversions: i % 2,
      cumulative_participants: cumulative,
    })
  }
  return rows
}

const spring = hourlyRows('2026-03-05T00:00:00Z', '2026-03-11T00:00:00Z', ['2026-03-09T06:00:00Z', '2026-03-10T12:00:00Z'])
const autumn = hourlyRows('2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z', ['2026-11-02T00:00:00Z', '2026-11-02T10:00:00Z'])
// The autumn cumulative continues from spring's total (cumulative is absolute).
const springTotal = spring.at(-1)!.cumulative_participants!
for (const row of autumn) row.cumulative_participants = row.cumulative_participants! + springTotal
const rows = [...spring, ...autumn]
await db.insertInto('timeline_data').values(rows).execute()

const token = await h.token('owner-t')

/** The local calendar day of an instant, computed with Intl only (independent of the API's code). */
function localDay(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant)
}

function localClock(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant)
}

function daysBetween(first: string, last: string): string[] {
  const days: string[] = []
  for (let at = Date.parse(`${first}T00:00:00Z`); at <= Date.parse(`${last}T00:00:00Z`); at += 24 * HOUR) {
    days.push(new Date(at).toISOString().slice(0, 10))
  }
  return days
}

function reference(zone: string, first: string, last: string) {
  return daysBetween(first, last).map((day) => {
    const inDay = rows.filter((row) => localDay(row.timestamp as Date, zone) === day)
    const upTo = rows.filter((row) => localDay(row.timestamp as Date, zone) <= day)
    const sum = (field: 'participants' | 'views' | 'engagement' | 'conversions') =>
      inDay.reduce((total, row) => total + (row[field] ?? 0), 0)
    return {
      day,
      participants: sum('participants'),
      views: sum('views'),
      engagement: sum('engagement'),
      conversions: sum('conversions'),
      cumulativeParticipants: upTo.at(-1)?.cumulative_participants ?? 0,
    }
  })
}

interface Bucket {
  bucketStart: string
  bucketEnd: string
  participants: number
  views: number
  engagement: number
  conversions: number
  cumulativeParticipants: number
}

async function timeline(query: string): Promise<{ buckets: Bucket[] }> {
  const response = await h.app.inject({ url: `/api/v1/events/evt-t/analytics/timeline?${query}`, headers: bearer(token) })
  if (response.statusCode !== 200) throw new Error(`${query}: ${response.statusCode} ${response.body}`)
  return response.json()
}

const cases = [
  { zone: 'America/New_York', first: '2026-03-04', last: '2026-03-11', dstDay: '2026-03-08', dstHours: 23 },
  { zone: 'America/New_York', first: '2026-10-29', last: '2026-11-03', dstDay: '2026-11-01', dstHours: 25 },
  { zone: 'Asia/Seoul', first: '2026-03-04', last: '2026-03-11', dstDay: undefined, dstHours: 24 },
  { zone: 'Asia/Seoul', first: '2026-10-29', last: '2026-11-03', dstDay: undefined, dstHours: 24 },
]

for (const { zone, first, last, dstDay, dstHours } of cases) {
  t.test(`day buckets in ${zone} from ${first} to ${last}`, async (t) => {
    const { buckets } = await timeline(`granularity=day&tz=${zone}&from=${first}&to=${last}`)
    const expected = reference(zone, first, last)
    t.equal(buckets.length, expected.length, 'one bucket per local day, zero-filled')
    for (const [index, bucket] of buckets.entries()) {
      const want = expected[index]!
      const start = new Date(bucket.bucketStart)
      t.equal(localDay(start, zone), want.day, `bucket ${index} is local day ${want.day}`)
      t.equal(localClock(start, zone), '00:00', 'starts at local midnight')
      const figures = [bucket.participants, bucket.views, bucket.engagement, bucket.conversions, bucket.cumulativeParticipants]
      const wanted = [want.participants, want.views, want.engagement, want.conversions, want.cumulativeParticipants]
      t.same(figures, wanted, `figures of ${want.day}`)
      const hours = (Date.parse(bucket.bucketEnd) - start.getTime()) / HOUR
      t.equal(hours, want.day === dstDay ? dstHours : 24, `${want.day} lasts ${hours} h`)
    }
  })
}

t.test('default zone is Asia/Seoul; hour buckets are zero-filled UTC hours', async (t) => {
  const seoul = await timeline('granularity=day&from=2026-03-08&to=2026-03-08')
  t.equal(seoul.buckets[0]!.bucketStart, '2026-03-07T15:00:00.000Z')
  const hours = await timeline('granularity=hour&from=2026-03-09T00:00:00Z&to=2026-03-09T23:00:00Z')
  t.equal(hours.buckets.length, 24)
  t.ok(
    hours.buckets.slice(6).every((b) => b.participants === 0),
    'empty hours are zero',
  )
  const carried = hours.buckets[5]!.cumulativeParticipants
  t.ok(
    hours.buckets.slice(6).every((b) => b.cumulativeParticipants === carried),
    'cumulative carries forward',
  )
})

t.test('weeks start on Monday, months are local months', async (t) => {
  const weeks = await timeline('granularity=week&tz=America/New_York&from=2026-03-01&to=2026-03-10')
  t.same(
    weeks.buckets.map((b) => localDay(new Date(b.bucketStart), 'America/New_York')),
    ['2026-02-23', '2026-03-02', '2026-03-09'],
  )
  t.equal(new Date(weeks.buckets[1]!.bucketStart).getUTCDay(), 1, 'Monday')
  const total = rows
    .filter((row) => {
      const day = localDay(row.timestamp as Date, 'America/New_York')
      return day >= '2026-03-02' && day <= '2026-03-08'
    })
    .reduce((sum, row) => sum + row.participants!, 0)
  t.equal(weeks.buckets[1]!.participants, total)
  const months = await timeline('granularity=month&tz=Asia/Seoul&from=2026-02-15&to=2026-04-01')
  t.same(
    months.buckets.map((b) => b.bucketStart),
    ['2026-01-31T15:00:00.000Z', '2026-02-28T15:00:00.000Z', '2026-03-31T15:00:00.000Z'],
  )
  t.equal(
    months.buckets[1]!.participants,
    spring.reduce((sum, row) => sum + row.participants!, 0),
  )
})

t.test('bucket limit is a clear 400; the default range fits', async (t) => {
  const tooMany = await h.app.inject({
    url: '/api/v1/events/evt-t/analytics/timeline?granularity=hour&from=2026-01-01&to=2026-03-31',
    headers: bearer(token),
  })
  t.equal(tooMany.statusCode, 400)
  t.match(tooMany.json().detail, /limit of 1000/)
  const defaults = await timeline('granularity=hour')
  t.ok(defaults.buckets.length <= 1000)
  t.equal(defaults.buckets.at(-1)!.bucketStart, autumn.at(-1)!.timestamp.toISOString(), 'ends at the last data hour')
  t.same(h.serverErrors, [])
})
