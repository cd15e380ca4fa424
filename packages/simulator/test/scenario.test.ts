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

t.test('bad options are refused', async (t) => {
  t.throws(() => [...scenarioEvents({ ...options, idPrefix: 'x'.repeat(17) })], /idPrefix/)
  t.throws(() => [...scenarioEvents({ ...options, owners: 0 })], /owners/)
  t.ok(groundTruth([]).events.length === 0)
})
