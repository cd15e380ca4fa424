import t from 'tap'
import { groundTruth, localHour, scenarioEvents, scenarioPlan, type ScenarioOptions } from '../src/index.js'
import type { DomainEvent } from '@event-analytics/contracts'

const START = Date.UTC(2026, 2, 1, 0, 0, 0)
const options: ScenarioOptions = { seed: 7, start: START, participants: 3000, owners: 3, eventsPerOwner: 3 }
const take = (count: number, source: Iterable<DomainEvent>): DomainEvent[] => {
  const items: DomainEvent[] = []
  for (const item of source) {
    if (items.length >= count) break
    items.push(item)
  }
  return items
}

t.test('the same seed gives the same stream; another seed or prefix gives another', async (t) => {
  const a = [...scenarioEvents(options)]
  t.same([...scenarioEvents(options)], a)
  t.notSame(
    [...scenarioEvents({ ...options, seed: 8 })].map((m) => m.messageId),
    a.map((m) => m.messageId),
  )
  const other = [...scenarioEvents({ ...options, idPrefix: 'other' })]
  t.equal(new Set([...a, ...other].map((m) => m.messageId)).size, new Set(a.map((m) => m.messageId)).size * 2, 'no shared message id')
})

t.test('the cast: owners x events, channels of every type, ids within the API limits', async (t) => {
  const plan = scenarioPlan(options)
  t.equal(plan.length, 9)
  t.equal(new Set(plan.map((event) => event.userId)).size, 3)
  const types = new Set(plan.flatMap((event) => event.channels.map((channel) => channel.channelType)))
  t.same([...types].sort(), ['SNS', 'TV', 'VOICE'])
  for (const event of plan) t.ok(event.eventId.length <= 36 && /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(event.eventId), event.eventId)
})

t.test(
  'traffic has the awkward parts: duplicates, late participants, participants before EventCreated, stale status changes',
  async (t) => {
    const stream = [...scenarioEvents(options)]
    const ids = stream.map((m) => m.messageId)
    t.ok(ids.length - new Set(ids).size > 20, 'duplicates re-sent')
    const participants = stream.filter((m) => m.kind === 'ParticipantRegistered')
    t.ok(participants.length > 2700 && participants.length < 3400, `about 3000 participants plus duplicates (${participants.length})`)
    let maxSeen = 0
    let late = 0
    for (const m of stream) {
      if (m.occurredAt < maxSeen - 2 * 3_600_000) late += 1
      maxSeen = Math.max(maxSeen, m.occurredAt)
    }
    t.ok(late > 20, `participants for hours long past (${late})`)
    const createdIndex = new Map(stream.flatMap((m, index) => (m.kind === 'EventCreated' ? [[m.eventId, index] as const] : [])))
    const early = stream.filter((m, index) => m.kind === 'ParticipantRegistered' && index < createdIndex.get(m.eventId)!)
    t.ok(early.length > 0, `participants sent before their EventCreated (${early.length})`)
    const statusOrder = new Map<string, number>()
    let stale = 0
    for (const m of stream) {
      if (m.kind !== 'EventStatusChanged') continue
      if (m.occurredAt < (statusOrder.get(m.eventId) ?? 0)) stale += 1
      statusOrder.set(m.eventId, Math.max(m.occurredAt, statusOrder.get(m.eventId) ?? 0))
    }
    t.ok(stale > 0, 'an older status change arrives after a newer one')
    t.same(
      stream.filter((m) => m.occurredAt < START || m.occurredAt >= START + 50 * 3_600_000),
      [],
      'occurredAt within the span',
    )
  },
)

t.test('events announce realistic schedules (writer schema v2); some announce none', async (t) => {
  const created = [...scenarioEvents({ ...options, owners: 10, eventsPerOwner: 5, spanHours: 48 })].filter((m) => m.kind === 'EventCreated')
  const scheduled = created.filter((m) => m.startsAt !== null)
  t.ok(scheduled.length > created.length / 2 && scheduled.length < created.length, `${scheduled.length} of ${created.length} scheduled`)
  for (const m of scheduled) {
    const days = (m.endsAt! - m.startsAt!) / 86_400_000
    t.ok(m.startsAt! <= m.occurredAt && m.occurredAt - m.startsAt! < 3_600_000, `${m.eventId} starts in the hour it is created`)
    t.ok(days >= 1 && days <= 28, `${m.eventId} runs ${days} days`)
  }
  // Sized to the expected participants at the history's mean rate per event, 0.8 to 1.3 times.
  const perEventHour = (options.participants ?? 0) / (48 * 10 * 5)
  for (const m of scheduled.filter((e) => (e.expectedParticipants ?? 0) > 0)) {
    const hours = (m.endsAt! - m.startsAt!) / 3_600_000
    const sized = m.expectedParticipants! / perEventHour
    t.ok(
      hours === 24 || hours === 28 * 24 || (hours >= sized * 0.8 - 1 && hours <= sized * 1.3 + 1),
      `${m.eventId}: ${hours} h for ${m.expectedParticipants}`,
    )
  }
  t.ok(
    created.filter((m) => m.startsAt === null).every((m) => m.endsAt === null),
    'an unscheduled event has neither end',
  )
})

t.test('participants follow the Asia/Seoul daily rhythm: evenings busier than nights', async (t) => {
  const stream = [...scenarioEvents({ ...options, participants: 20_000, spanHours: 72, lateCreatedRate: 0 })]
  const byLocalHour = new Array<number>(24).fill(0)
  for (const m of stream) if (m.kind === 'ParticipantRegistered') byLocalHour[localHour(m.occurredAt, 'Asia/Seoul')]! += 1
  t.ok(byLocalHour[20]! > 4 * byLocalHour[3]!, `20 h (${byLocalHour[20]}) >> 3 h (${byLocalHour[3]})`)
})

t.test('live traffic continues endlessly after the history at the given pace', async (t) => {
  const stream = take(4000, scenarioEvents({ ...options, participants: 100, live: { ratePerSecond: 100 } }))
  t.equal(stream.length, 4000)
  const liveStart = START + 48 * 3_600_000
  const live = stream.filter((m) => m.occurredAt >= liveStart)
  t.ok(live.length > 3500)
  t.ok(live.at(-1)!.occurredAt - liveStart < 40_000, 'about 1/rate s per message')
  t.ok(live.every((m) => m.kind === 'ParticipantRegistered'))
})

t.test("with a clock, live participants happen when produced, whatever the back-fill's length", async (t) => {
  let now = START + 48 * 3_600_000 + 7 * 3_600_000 // the back-fill took a while to send
  const clock = (): number => (now += 250)
  const stream = scenarioEvents({ ...options, participants: 100, live: { ratePerSecond: 100, clock } })
  const history = [...scenarioEvents({ ...options, participants: 100 })].length
  const live = take(history + 400, stream).slice(history)
  t.ok(live.length === 400 && live.every((m) => m.kind === 'ParticipantRegistered'))
  t.ok(live[0]!.occurredAt > START + 55 * 3_600_000, 'the first one happens at the clock, not at the end of the history')
  t.ok(
    live.every((m, index) => index === 0 || m.occurredAt >= live[index - 1]!.occurredAt),
    'in the order produced',
  )
  t.ok(live.at(-1)!.occurredAt <= now, 'never ahead of the clock')
  const seen = new Map<string, DomainEvent>()
  const resent = live.filter((m) => seen.has(m.messageId) || (seen.set(m.messageId, m) && false))
  t.ok(resent.length > 0, 'duplicates are re-sent')
  t.ok(
    resent.every((m) => seen.get(m.messageId)!.occurredAt === m.occurredAt),
    'as the same message, occurredAt included',
  )
})

t.test('bad options are refused', async (t) => {
  t.throws(() => [...scenarioEvents({ ...options, idPrefix: 'x'.repeat(17) })], /idPrefix/)
  t.throws(() => [...scenarioEvents({ ...options, owners: 0 })], /owners/)
  t.ok(groundTruth([]).events.length === 0)
})
