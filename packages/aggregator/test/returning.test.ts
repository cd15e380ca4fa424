/**
 * Returning participants (docs/SPEC.md section 9a) through the aggregator's batch transaction and
 * the off-path fold on real PostgreSQL: two events of one owner sharing participants, redelivery,
 * participants applied before their event's owner is known, an earlier participation arriving
 * late, another owner's participants, folds in chunks, and any arrival order split between two
 * concurrent appliers each folding chunks at random moments (against a reference).
 */
import t from 'tap'
import fc from 'fast-check'
import type { DomainEvent } from '@event-analytics/contracts'
import {
  closeDb,
  createDb,
  foldRegistrations,
  readEventReturning,
  readReturningAsOf,
  readReturningVersion,
  readUserEventsReturning,
} from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import { commitMessages } from '../src/apply.js'
import { returningReference } from './helpers/returning-reference.js'

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0)
const MINUTE = 60_000
let n = 0

const created = (eventId: string, userId: string, totalInvestment = '1000.00'): DomainEvent => ({
  kind: 'EventCreated',
  messageId: `ret-${(n += 1)}`,
  eventId,
  occurredAt: T0,
  userId,
  title: eventId,
  totalInvestment,
  expectedRevenue: '0.00',
  expectedParticipants: null,
  targetRoi: '0.00',
  salesGrowthRate: null,
})

const joined = (eventId: string, participantId: string, minute: number, channelName: string | null = 'INSTAGRAM'): DomainEvent => ({
  kind: 'ParticipantRegistered',
  messageId: `ret-${(n += 1)}`,
  eventId,
  occurredAt: T0 + minute * MINUTE,
  participantId,
  channelName,
})

t.test('two events of one owner sharing participants; redelivery; another owner', async (t) => {
  const { db } = await createTestDatabase(t)
  await commitMessages(db, [created('spring', 'owner-1', '900.00'), created('autumn', 'owner-1', '500.00'), created('other', 'owner-2')])
  const batch = [
    joined('spring', 'ana', 1),
    joined('spring', 'bo', 2, 'KAKAO'),
    joined('spring', 'cy', 3),
    joined('autumn', 'bo', 100, 'KAKAO'),
    joined('autumn', 'cy', 101),
    joined('autumn', 'cy', 102, 'KAKAO'), // the same participant again: counted once, in its first channel
    joined('autumn', 'dee', 103, null),
    joined('other', 'ana', 0), // another owner: never makes ana returning for owner-1
  ]
  const first = await commitMessages(db, batch)
  t.equal(first.applied, batch.length)
  t.same((await readEventReturning(db, 'autumn')).new_participants, 0, 'nothing counted before the fold')
  const fold = await foldRegistrations(db)
  t.ok(fold !== null, 'the fold ran')
  t.equal(fold!.changed, 7, 'seven participations (cy twice in autumn is one)')
  t.same(
    [...fold!.affected].sort(),
    [
      ['autumn', 'owner-1'],
      ['other', 'owner-2'],
      ['spring', 'owner-1'],
    ],
    "and names the owners' events, whose views are invalidated",
  )
  const check = async (label: string) => {
    const spring = await readEventReturning(db, 'spring')
    t.same(
      [spring.new_participants, spring.returning_participants, spring.cost_per_new_participant],
      [3, 0, '300.00'],
      `${label}: spring, the first event, has only new participants`,
    )
    const autumn = await readEventReturning(db, 'autumn')
    t.same([autumn.new_participants, autumn.returning_participants, autumn.cost_per_new_participant], [1, 2, '500.00'], `${label}: autumn`)
    t.same(
      autumn.channels,
      [
        { channel_name: 'INSTAGRAM', new_participants: 0, returning_participants: 1 },
        { channel_name: 'KAKAO', new_participants: 0, returning_participants: 1 },
        { channel_name: null, new_participants: 1, returning_participants: 0 },
      ],
      `${label}: autumn per channel`,
    )
    const other = await readEventReturning(db, 'other')
    t.same([other.new_participants, other.returning_participants], [1, 0], `${label}: another owner's event counts on its own`)
    const owner = await readUserEventsReturning(db, 'owner-1')
    t.same(owner.as_of, spring.as_of, 'one asOf: the fold')
    t.same(
      [...owner.events.values()].sort((a, b) => a.event_id.localeCompare(b.event_id)),
      [
        { event_id: 'autumn', new_participants: 1, returning_participants: 2 },
        { event_id: 'spring', new_participants: 3, returning_participants: 0 },
      ],
      `${label}: the owner's summary agrees`,
    )
  }
  await check('applied once')
  const again = await commitMessages(db, batch)
  t.equal(again.applied, 0, 'the same batch redelivered applies nothing')
  t.same((await foldRegistrations(db))?.changed, 0, 'and leaves nothing to fold')
  await check('after redelivery')
  const noNew = await readEventReturning(db, 'missing')
  t.same([noNew.new_participants, noNew.cost_per_new_participant], [0, null], 'no participants: no cost per new participant')
})

t.test("participants before their event's owner is known; an earlier participation arriving late", async (t) => {
  const { db } = await createTestDatabase(t)
  await commitMessages(db, [joined('late-b', 'eve', 50), joined('late-b', 'fay', 51)])
  await foldRegistrations(db)
  await commitMessages(db, [created('late-a', 'owner-3'), joined('late-a', 'eve', 10)])
  await foldRegistrations(db)
  t.same((await readEventReturning(db, 'late-a')).new_participants, 1, 'late-a alone: eve is new there')
  const learned = await commitMessages(db, [created('late-b', 'owner-3')])
  t.same(
    [(await readEventReturning(db, 'late-b')).new_participants, (await readEventReturning(db, 'late-b')).returning_participants],
    [1, 1],
    'once late-b has its owner, eve (earlier in late-a) is returning there and fay new',
  )
  t.ok(
    learned.changed.some((change) => change.eventId === 'late-a'),
    "learning late-b's owner invalidates late-a, which shares eve",
  )
  // fay's participation in late-a is dated before her late-b one but arrives after it.
  await commitMessages(db, [joined('late-a', 'fay', 20)])
  const fold = await foldRegistrations(db)
  const a = await readEventReturning(db, 'late-a')
  const b = await readEventReturning(db, 'late-b')
  t.same([a.new_participants, a.returning_participants, b.new_participants, b.returning_participants], [2, 0, 0, 2], 'corrected exactly')
  t.same(fold?.affected.get('late-b'), 'owner-3', "the fold of late-a's row names late-b too, so its views are invalidated")
})

t.test('any arrival order, split between two concurrent appliers, matches the reference', async (t) => {
  const { db, url } = await createTestDatabase(t)
  const second = createDb(url, { poolSize: 3 })
  t.teardown(() => closeDb(second))
  let run = 0
  const participation = fc.record({
    event: fc.integer({ min: 0, max: 3 }),
    participant: fc.integer({ min: 0, max: 7 }),
    minute: fc.integer({ min: 0, max: 5 }),
    channelName: fc.constantFrom('INSTAGRAM', 'KAKAO', null),
  })
  const seed = 4242
  t.comment(`fast-check seed ${seed}`)
  await fc.assert(
    fc.asyncProperty(
      fc.array(participation, { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 12 }),
      async (drawn, batchSize, maxRegistrations) => {
        run += 1
        const eventIds = [0, 1, 2, 3].map((index) => `r${run}-e${index}`)
        // Events 0-2 belong to one owner, 3 to another.
        const owners = new Map(eventIds.map((eventId, index) => [eventId, index < 3 ? `r${run}-u1` : `r${run}-u2`]))
        const rows = drawn.map((row) => ({
          eventId: eventIds[row.event]!,
          participantId: `r${run}-p${row.participant}`,
          time: row.minute,
          channelName: row.channelName,
        }))
        const messages = [
          ...rows.map((row) => joined(row.eventId, row.participantId, row.time, row.channelName)),
          ...eventIds.map((eventId) => created(eventId, owners.get(eventId)!)),
        ]
        const shuffled = fc.sample(fc.shuffledSubarray(messages, { minLength: messages.length }), { numRuns: 1, seed: seed + run })[0]!
        const batches: DomainEvent[][] = []
        for (let start = 0; start < shuffled.length; start += batchSize) batches.push(shuffled.slice(start, start + batchSize))
        // Two appliers, each redelivering one batch of the other's half as well, and folding after
        // every other batch (two folds at once: one skips, the other's asOf covers both).
        const halves = [batches.filter((_, i) => i % 2 === 0), batches.filter((_, i) => i % 2 === 1)]
        const apply = async (pool: typeof db, own: DomainEvent[][], other: DomainEvent[][]) => {
          for (const [index, batch] of [...own, ...other.slice(0, 1)].entries()) {
            await commitMessages(pool, batch)
            if (index % 2 === 1) await foldRegistrations(pool, { maxRegistrations })
          }
        }
        await Promise.all([apply(db, halves[0]!, halves[1]!), apply(second, halves[1]!, halves[0]!)])
        // A fold skips while the other holds the lock: last ones, alone, drain what is left, chunk by chunk.
        for (;;) {
          const last = await foldRegistrations(db, { maxRegistrations })
          if (last === null) throw new Error('a last fold found the lock taken')
          if (last.emptied) break
        }
        const expected = returningReference(owners, rows)
        for (const eventId of eventIds) {
          const actual = await readEventReturning(db, eventId)
          const [fresh, returning] = expected.get(eventId)!
          if (actual.new_participants !== fresh || actual.returning_participants !== returning)
            throw new Error(`${eventId}: got ${actual.new_participants}/${actual.returning_participants}, expected ${fresh}/${returning}`)
          const owned = (await readUserEventsReturning(db, owners.get(eventId)!)).events.get(eventId)
          if ((owned?.new_participants ?? 0) !== fresh || (owned?.returning_participants ?? 0) !== returning)
            throw new Error(`${eventId}: the owner's summary disagrees`)
        }
      },
    ),
    { numRuns: 25, seed },
  )
  t.pass('25 random arrival orders matched the reference')
})

t.test('a fold moves whole batches up to its chunk size; the asOf moves only once the log is empty', async (t) => {
  const { db } = await createTestDatabase(t)
  await commitMessages(db, [created('chunked', 'owner-9')])
  await commitMessages(db, [joined('chunked', 'p1', 1), joined('chunked', 'p2', 2)])
  await commitMessages(db, [joined('chunked', 'p3', 3), joined('chunked', 'p4', 4), joined('chunked', 'p5', 5)])
  await commitMessages(db, [joined('chunked', 'p6', 6)])
  const first = await foldRegistrations(db, { maxRegistrations: 3 })
  t.same(
    [first?.changed, first?.emptied, first?.foldedAt],
    [5, false, null],
    'two whole batches (2 + 3) reach the chunk size of 3; the third stays',
  )
  t.equal(await readReturningAsOf(db), null, 'a registration is still in the log: no asOf yet')
  t.equal((await readEventReturning(db, 'chunked')).new_participants, 5, 'what was folded counts already')
  const second = await foldRegistrations(db, { maxRegistrations: 3 })
  t.same([second?.changed, second?.emptied], [1, true], 'the rest, and the log is empty')
  const asOf = await readReturningAsOf(db)
  t.ok(asOf !== null && asOf.getTime() === second?.foldedAt?.getTime(), "the asOf is the emptying fold's")
  await commitMessages(db, [joined('chunked', 'p7', 7), joined('chunked', 'p8', 8)])
  const partial = await foldRegistrations(db, { maxRegistrations: 1 })
  t.same([partial?.changed, partial?.emptied], [2, true], 'one batch is never split, whatever the chunk size')
  t.equal((await readEventReturning(db, 'chunked')).new_participants, 8)
})

t.test('the split version changes with every fold and every event the owner gains, and only then', async (t) => {
  const { db } = await createTestDatabase(t)
  t.equal(await readReturningVersion(db, 'v-one'), null, 'an event not seen yet has none')
  await commitMessages(db, [created('v-one', 'owner-v'), joined('v-one', 'a', 1)])
  const first = await readReturningVersion(db, 'v-one')
  t.ok(first !== null)
  await commitMessages(db, [joined('v-one', 'b', 2)])
  t.equal(await readReturningVersion(db, 'v-one'), first, 'a batch only logs its registrations: the split cannot have changed')
  await foldRegistrations(db, { maxRegistrations: 1 })
  const folded = await readReturningVersion(db, 'v-one')
  t.not(folded, first, 'a fold chunk changes it, whether or not it emptied the log')
  await foldRegistrations(db)
  const empty = await readReturningVersion(db, 'v-one')
  t.not(empty, folded, 'so does the next one')
  await commitMessages(db, [joined('v-two', 'a', 0)])
  await foldRegistrations(db)
  const beforeOwner = await readReturningVersion(db, 'v-one')
  const split = await readEventReturning(db, 'v-one')
  await commitMessages(db, [created('v-two', 'owner-v')])
  t.not(await readReturningVersion(db, 'v-one'), beforeOwner, 'the owner gaining an event changes it, with no fold')
  t.not(
    (await readEventReturning(db, 'v-one')).returning_participants,
    split.returning_participants,
    'and the split did change: a, earlier in v-two, is returning in v-one now',
  )
})
