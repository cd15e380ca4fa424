/** fast-check arbitraries of message streams, plus small builders for hand-written tests. */
import type { ChannelType, DomainEvent, EventStatus } from '@event-analytics/contracts'
import fc from 'fast-check'

export const BASE = Date.UTC(2024, 2, 31, 20, 0, 0) // 2024-03-31T20:00Z: streams cross a month boundary
const CHANNELS = ['INSTAGRAM', 'GENIE_TV', 'RINGO_BIZ', 'KAKAO']
const TYPES: ChannelType[] = ['TV', 'SNS', 'VOICE']
const STATUSES: EventStatus[] = ['ACTIVE', 'ENDED', 'ARCHIVED']

const moneyArb = fc.bigInt({ min: 0n, max: 500_000_00n }).map((c) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`)
// Few distinct instants, so ties between status changes / creations happen.
const whenArb = fc.integer({ min: 0, max: 14 }).map((h) => BASE + h * 1_800_000)
/** Overwriting messages (status, creation) get even fewer instants: ties must be exercised. */
const tieArb = fc.integer({ min: 0, max: 2 }).map((h) => BASE + h * 3_600_000)

/** A message without its ids (the scenario assigns them). */
export type Draft = DomainEvent extends infer E ? (E extends DomainEvent ? Omit<E, 'messageId' | 'eventId'> : never) : never

const draftArb: fc.Arbitrary<Draft> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('ParticipantRegistered' as const),
      occurredAt: whenArb,
      participantId: fc.constantFrom('p1', 'p2', 'p3'),
      channelName: fc.option(fc.constantFrom(...CHANNELS)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('DistributionCompleted' as const),
      occurredAt: whenArb,
      channels: fc.array(
        fc.record({ channelName: fc.constantFrom(...CHANNELS), channelType: fc.constantFrom(...TYPES), distributionCost: moneyArb }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('EventCreated' as const),
      occurredAt: tieArb,
      userId: fc.constantFrom('owner-a', 'owner-b'),
      title: fc.constantFrom('Giveaway', 'Coupon draw'),
      totalInvestment: moneyArb,
      expectedRevenue: moneyArb,
      expectedParticipants: fc.option(fc.integer({ min: 0, max: 50 })),
      targetRoi: fc.constantFrom('0.00', '150.00', '-5.50'),
      salesGrowthRate: fc.option(fc.constantFrom('3.25', '-1.00')),
      // Every start is before every end: the schedules are valid, and ties on the rest are broken by them.
      startsAt: fc.option(fc.constantFrom(Date.UTC(2024, 3, 1), Date.UTC(2024, 3, 2))),
      endsAt: fc.option(fc.constantFrom(Date.UTC(2024, 3, 10), Date.UTC(2024, 4, 1))),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('EventStatusChanged' as const), occurredAt: tieArb, status: fc.constantFrom(...STATUSES) }),
  },
)

export interface Scenario {
  /** Batches in delivery order (replays included). */
  readonly batches: DomainEvent[][]
  /** Everything delivered (for the reference). */
  readonly stream: DomainEvent[]
}

/**
 * Messages with duplicates (same messageId), shuffled across topics, cut into batches, some
 * replayed. `prefix` makes each scenario's message ids (and, by default, event ids) its own;
 * `eventPrefix` lets many scenarios write the same few events; `drafts` replaces the default
 * message mix, `events` the number of distinct events (e0, e1, ...).
 */
export function scenarioArb(
  prefix: () => string,
  eventPrefix?: (run: string) => string,
  options: { readonly drafts?: fc.Arbitrary<Draft>; readonly events?: number } = {},
): fc.Arbitrary<Scenario> {
  return fc
    .record({
      drafts: fc.array(fc.tuple(fc.integer({ min: 0, max: (options.events ?? 3) - 1 }), options.drafts ?? draftArb), {
        minLength: 1,
        maxLength: 40,
        size: 'max',
      }),
      duplicates: fc.array(fc.nat(), { maxLength: 10 }),
      order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 50, maxLength: 50 }),
      cuts: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 10 }),
      replays: fc.array(fc.nat(), { maxLength: 3 }),
    })
    .map(({ drafts, duplicates, order, cuts, replays }) => {
      const run = prefix()
      const events = eventPrefix?.(run) ?? run
      const base = drafts.map(
        ([event, draft], index) => ({ ...draft, eventId: `${events}e${event}`, messageId: `${run}m${index}` }) as DomainEvent,
      )
      const withDuplicates = [...base, ...duplicates.map((pick) => base[pick % base.length]!)]
      const stream = withDuplicates
        .map((message, index) => ({ message, key: order[index % order.length]! + index * 1e-9 }))
        .sort((a, b) => a.key - b.key)
        .map((entry) => entry.message)
      const batches: DomainEvent[][] = []
      for (let start = 0, cut = 0; start < stream.length; cut += 1) {
        const size = cuts[cut % cuts.length]!
        batches.push(stream.slice(start, start + size))
        start += size
      }
      for (const pick of replays) batches.push(batches[pick % batches.length]!)
      return { batches, stream }
    })
}

let counter = 0
export function id(prefix: string): string {
  counter += 1
  return `${prefix}-${process.pid}-${counter}`
}
