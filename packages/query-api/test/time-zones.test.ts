/**
 * Time zones: every name PostgreSQL's tz database knows is accepted (current IANA names that
 * Intl's canonical list lacks, and old aliases), and a zone whose offset is not a whole number
 * of hours gets buckets made of the UTC hours that START inside each local period, with the
 * instants they really cover and `approximate: true` -- never a silent half-hour shift.
 */
import t from 'tap'
import { sql } from 'kysely'
import { ensureTimelinePartitions } from '@event-analytics/db'
import type { NewTimelineData } from '@event-analytics/db'
import { timeZoneRegistry } from '../src/time-zones.js'
import { bearer, createHarness } from './helpers.js'

const h = await createHarness(t)
const { db } = h.testDb
const HOUR = 3_600_000
await db
  .insertInto('event_stats')
  .values({ event_id: 'evt-z', user_id: 'owner-z', title: 'Zones', event_created_at: new Date('2026-03-01T00:00:00Z') })
  .execute()
await ensureTimelinePartitions(db, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z'))
const rows: NewTimelineData[] = []
for (let at = Date.parse('2026-03-06T00:00:00Z'), i = 0; at < Date.parse('2026-03-10T00:00:00Z'); at += HOUR, i += 1) {
  rows.push({
    event_id: 'evt-z',
    timestamp: new Date(at),
    participants: (i % 4) + 1,
    views: i,
    engagement: 0,
    conversions: 0,
    cumulative_participants: 0,
  })
}
await db.insertInto('timeline_data').values(rows).execute()
const token = await h.token('owner-z')

interface Timeline {
  approximate: boolean
  note?: string
  buckets: { bucketStart: string; bucketEnd: string; participants: number; views: number }[]
}

const timeline = (query: string) => h.app.inject({ url: `/api/v1/events/evt-z/analytics/timeline?${query}`, headers: bearer(token) })

const localDay = (instant: Date, zone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant)

t.test('current IANA names and old aliases are accepted', async (t) => {
  const current = ['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'Asia/Kathmandu', 'Etc/UTC']
  const aliases = ['Asia/Calcutta', 'Europe/Kiev', 'Asia/Saigon', 'Asia/Katmandu', 'US/Eastern', 'UTC', 'GMT', 'Asia/Seoul']
  for (const tz of [...current, ...aliases]) {
    const response = await timeline(`granularity=day&tz=${encodeURIComponent(tz)}&from=2026-03-07&to=2026-03-08`)
    t.equal(response.statusCode, 200, `${tz}: ${response.statusCode === 200 ? 'ok' : response.body}`)
  }
})

t.test('unknown names and files of the system zone directory are refused', async (t) => {
  for (const tz of ['Mars/Olympus', 'posix/Asia/Seoul', 'localtime', 'posixrules', 'Asia/seoul']) {
    const response = await timeline(`granularity=day&tz=${encodeURIComponent(tz)}`)
    t.equal(response.statusCode, 400, tz)
    t.match(response.json().detail, /unknown time zone/)
  }
})

t.test("every name of pg_timezone_names is accepted, except the system directory's artefacts", async (t) => {
  const { rows: names } = await sql<{ name: string }>`SELECT name FROM pg_timezone_names`.execute(db)
  const registry = timeZoneRegistry(db)
  const refused: string[] = []
  for (const { name } of names) if (!(await registry.isKnown(name))) refused.push(name)
  t.ok(names.length > 400, `${names.length} names`)
  t.same(
    refused.filter((name) => !/^(posix|right)\//.test(name) && !['localtime', 'posixrules', 'Factory'].includes(name)),
    [],
    'only posix/*, right/*, localtime, posixrules and Factory are refused',
  )
})

const offHour = [
  { zone: 'Asia/Kolkata', firstStart: '2026-03-06T19:00:00.000Z', localMidnight: '2026-03-06T18:30:00.000Z' },
  { zone: 'Asia/Kathmandu', firstStart: '2026-03-06T19:00:00.000Z', localMidnight: '2026-03-06T18:15:00.000Z' },
  { zone: 'Australia/Adelaide', firstStart: '2026-03-06T14:00:00.000Z', localMidnight: '2026-03-06T13:30:00.000Z' },
]

for (const { zone, firstStart, localMidnight } of offHour) {
  t.test(`${zone}: day buckets hold the UTC hours starting inside the local day, and say so`, async (t) => {
    const response = await timeline(`granularity=day&tz=${encodeURIComponent(zone)}&from=2026-03-07&to=2026-03-09`)
    t.equal(response.statusCode, 200)
    const body = response.json<Timeline>()
    t.equal(body.approximate, true)
    t.match(body.note, /UTC hours that start inside/)
    t.equal(body.buckets.length, 3)
    t.equal(body.buckets[0]!.bucketStart, firstStart, `the first whole hour after local midnight (${localMidnight}), not midnight itself`)
    for (const [index, bucket] of body.buckets.entries()) {
      const start = Date.parse(bucket.bucketStart)
      const end = Date.parse(bucket.bucketEnd)
      t.equal(start % HOUR, 0, 'starts on a UTC hour')
      t.equal(end % HOUR, 0, 'ends on a UTC hour')
      if (index > 0) t.equal(bucket.bucketStart, body.buckets[index - 1]!.bucketEnd, 'contiguous')
      const day = localDay(new Date(start), zone)
      const inDay = rows.filter((row) => localDay(row.timestamp as Date, zone) === day)
      t.equal(
        bucket.participants,
        inDay.reduce((sum, row) => sum + row.participants!, 0),
        `${day}: participants of the hours starting that day`,
      )
      t.ok(
        inDay.every((row) => (row.timestamp as Date).getTime() >= start && (row.timestamp as Date).getTime() < end),
        'inside the reported instants',
      )
    }
  })
}

t.test('whole-hour zones and hour buckets are exact', async (t) => {
  const seoul = (await timeline('granularity=day&tz=Asia/Seoul&from=2026-03-07&to=2026-03-08')).json<Timeline>()
  t.equal(seoul.approximate, false)
  t.equal(seoul.note, undefined)
  t.equal(seoul.buckets[0]!.bucketStart, '2026-03-06T15:00:00.000Z', 'local midnight')
  const hours = (await timeline('granularity=hour&tz=Asia/Kolkata&from=2026-03-07T00:00:00Z&to=2026-03-07T05:00:00Z')).json<Timeline>()
  t.equal(hours.approximate, false, 'hour buckets are UTC hours in every zone')
  t.equal(hours.buckets.length, 6)
})

t.test('the OpenAPI description states the rule', async (t) => {
  const doc = (await h.app.inject({ url: '/docs/json' })).json()
  const operation = doc.paths['/api/v1/events/{eventId}/analytics/timeline'].get
  t.match(operation.description, /start inside/)
  t.match(operation.description, /approximate/)
})

t.test('no request of this suite got a 5xx', async (t) => {
  t.same(h.serverErrors, [])
})
