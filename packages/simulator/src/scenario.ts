/**
 * Seeded traffic scenarios: a pure generator of DomainEvents in the order an upstream
 * would send them, with the awkward parts of real traffic: duplicates re-sent, late
 * participants for hours long past, participants (and distributions) before their
 * event's EventCreated, out-of-order status changes. The same options give the same stream.
 */
import { createHash } from 'node:crypto'
import type { DomainEvent, ParticipantRegistered } from '@event-analytics/contracts'
import { RHYTHM_TIME_ZONE, rhythmWeight } from './catalog.js'
import { HOUR_MS, planEvents, type PlannedEvent } from './plan.js'
import { createRandom, deterministicUuid, type Random } from './random.js'

export interface ScenarioOptions {
  readonly seed: number
  /** Start of the history, epoch ms (a pure generator takes its clock as input). */
  readonly start: number
  readonly owners?: number
  readonly eventsPerOwner?: number
  /** Participants spread over the history (before duplicates). */
  readonly participants?: number
  readonly spanHours?: number
  /** Prefix of event, owner and participant ids and the namespace of message ids (<= 16 chars). */
  readonly idPrefix?: string
  /** Share of messages sent twice (same messageId). */
  readonly duplicateRate?: number
  /** Share of participants sent 2-24 h after they happened. */
  readonly lateRate?: number
  /** Share of events whose EventCreated is sent 3-12 h after it happened. */
  readonly lateCreatedRate?: number
  /** Share of participants without a known channel. */
  readonly unknownChannelRate?: number
  readonly timeZone?: string
  /**
   * After the history, endless participants at this pace of occurredAt (one per 1/rate s).
   * With `clock` (epoch ms), each live participant happens when the generator produces it
   * instead: a sender that pulls just before sending (the CLI, with Date.now) sends live traffic
   * that happens now, however long the back-fill took to send.
   */
  readonly live?: { readonly ratePerSecond: number; readonly clock?: () => number }
}

export type ResolvedScenarioOptions = Required<Omit<ScenarioOptions, 'live'>> & Pick<ScenarioOptions, 'live'>

export function resolveScenarioOptions(options: ScenarioOptions): ResolvedScenarioOptions {
  const resolved = {
    owners: 3,
    eventsPerOwner: 2,
    participants: 2000,
    spanHours: 48,
    idPrefix: `sim${options.seed}`,
    duplicateRate: 0.03,
    lateRate: 0.05,
    lateCreatedRate: 0.3,
    unknownChannelRate: 0.05,
    timeZone: RHYTHM_TIME_ZONE,
    // Explicit undefineds keep the defaults.
    ...(Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as ScenarioOptions),
  }
  if (resolved.idPrefix.length > 16) throw new RangeError('idPrefix must be at most 16 characters (event ids are <= 36)')
  if (resolved.owners < 1 || resolved.eventsPerOwner < 1) throw new RangeError('owners and eventsPerOwner must be >= 1')
  if (resolved.spanHours < 1) throw new RangeError('spanHours must be >= 1')
  return resolved
}

interface Scheduled {
  readonly sendAt: number
  readonly sequence: number
  readonly event: DomainEvent
}

/** The scenario's events in send order; endless when `live` is set. */
export function* scenarioEvents(options: ScenarioOptions): Generator<DomainEvent> {
  const resolved = resolveScenarioOptions(options)
  const random = createRandom(resolved.seed)
  const plan = planEvents(resolved, random)
  const ids = idFactory(resolved.idPrefix)
  yield* history(resolved, plan, random, ids)
  if (resolved.live !== undefined) yield* live(resolved, plan, random, ids, resolved.live)
}

/** The planned events of a scenario (ids, owners, channels), e.g. to pick one in a test. */
export function scenarioPlan(options: ScenarioOptions): PlannedEvent[] {
  const resolved = resolveScenarioOptions(options)
  return planEvents(resolved, createRandom(resolved.seed))
}

interface Ids {
  message(): string
  /** A participant of `event`: new, or (RETURNING_SHARE of them) one who joined another event of its owner. */
  participant(event: PlannedEvent): string
}

/** Share of registrations by someone who already joined another event of the same owner. */
const RETURNING_SHARE = 0.3

function idFactory(prefix: string): Ids {
  let messages = 0
  let participants = 0
  // Its own generator: the scenario's draws (and so every other figure of a seed) stay as they were.
  const returning = createRandom(createHash('sha256').update(`returning:${prefix}`).digest().readUInt32BE(0))
  // owner -> event -> the participants it had so far
  const byOwner = new Map<string, Map<string, string[]>>()
  return {
    message: () => deterministicUuid(prefix, (messages += 1)),
    participant: (event) => {
      const events = byOwner.get(event.userId) ?? new Map<string, string[]>()
      byOwner.set(event.userId, events)
      const others = [...events.entries()].filter(([eventId, ids]) => eventId !== event.eventId && ids.length > 0)
      const participantId =
        others.length > 0 && returning.chance(RETURNING_SHARE)
          ? returning.pick(returning.pick(others)[1])
          : `${prefix}-p-${(participants += 1)}`
      const own = events.get(event.eventId) ?? []
      own.push(participantId)
      events.set(event.eventId, own)
      return participantId
    },
  }
}

function history(options: ResolvedScenarioOptions, plan: readonly PlannedEvent[], random: Random, ids: Ids): DomainEvent[] {
  const scheduled: Scheduled[] = []
  const add = (sendAt: number, event: DomainEvent): void => {
    scheduled.push({ sendAt, sequence: scheduled.length, event })
    if (random.chance(options.duplicateRate)) {
      scheduled.push({ sendAt: sendAt + random.int(0, 6 * HOUR_MS), sequence: scheduled.length, event })
    }
  }
  for (const event of plan) addLifecycle(event, add, ids)
  const end = options.start + options.spanHours * HOUR_MS
  for (const [index, count] of participantsPerSlot(options, plan, random)) {
    const event = plan[index % plan.length]!
    const hour = options.start + Math.floor(index / plan.length) * HOUR_MS
    for (let n = 0; n < count; n += 1) {
      const occurredAt = Math.max(event.createdAt, hour + random.int(0, HOUR_MS - 1))
      const late = random.chance(options.lateRate)
      const sendAt = late ? Math.min(end, occurredAt + random.int(2 * HOUR_MS, 24 * HOUR_MS)) : occurredAt
      add(sendAt, participant(event, occurredAt, options, random, ids))
    }
  }
  return scheduled.sort((a, b) => a.sendAt - b.sendAt || a.sequence - b.sequence).map((item) => item.event)
}

function addLifecycle(event: PlannedEvent, add: (sendAt: number, event: DomainEvent) => void, ids: Ids): void {
  const { eventId } = event
  add(event.createdSendAt, {
    kind: 'EventCreated',
    messageId: ids.message(),
    occurredAt: event.createdAt,
    eventId,
    userId: event.userId,
    title: event.title,
    totalInvestment: event.totalInvestment,
    expectedRevenue: event.expectedRevenue,
    expectedParticipants: event.expectedParticipants,
    targetRoi: event.targetRoi,
    salesGrowthRate: event.salesGrowthRate,
    startsAt: event.schedule?.startsAt ?? null,
    endsAt: event.schedule?.endsAt ?? null,
  })
  for (const run of event.distributions) {
    add(run.occurredAt, {
      kind: 'DistributionCompleted',
      messageId: ids.message(),
      occurredAt: run.occurredAt,
      eventId,
      channels: run.channels,
    })
  }
  for (const change of event.statusChanges) {
    add(change.sendAt, {
      kind: 'EventStatusChanged',
      messageId: ids.message(),
      occurredAt: change.occurredAt,
      eventId,
      status: change.status,
    })
  }
}

/**
 * Participants per (hour, event) slot, keyed hour * events + event: proportional to the
 * local daily rhythm times the event's popularity, zero outside the event's lifetime.
 * Rounded stochastically so the expected total is `participants`.
 */
function participantsPerSlot(options: ResolvedScenarioOptions, plan: readonly PlannedEvent[], random: Random): Map<number, number> {
  const weights: number[] = []
  for (let hour = 0; hour < options.spanHours; hour += 1) {
    const hourStart = options.start + hour * HOUR_MS
    const rhythm = rhythmWeight(hourStart, options.timeZone)
    for (const event of plan) {
      const alive = event.createdAt < hourStart + HOUR_MS && hourStart < event.endsAt
      weights.push(alive ? rhythm * event.popularity : 0)
    }
  }
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  const counts = new Map<number, number>()
  weights.forEach((weight, index) => {
    const exact = total === 0 ? 0 : (options.participants * weight) / total
    const count = Math.floor(exact) + (random.chance(exact - Math.floor(exact)) ? 1 : 0)
    if (count > 0) counts.set(index, count)
  })
  return counts
}

function participant(
  event: PlannedEvent,
  occurredAt: number,
  options: ResolvedScenarioOptions,
  random: Random,
  ids: Ids,
): ParticipantRegistered {
  const channelName = random.chance(options.unknownChannelRate) ? null : random.pick(event.channels).channelName
  return {
    kind: 'ParticipantRegistered',
    messageId: ids.message(),
    occurredAt,
    eventId: event.eventId,
    participantId: ids.participant(event),
    channelName,
  }
}

/**
 * Endless participants of the events still running, one every 1/rate s of occurredAt, or at
 * `clock()` (never before the history's end) when there is one. A re-sent duplicate is the same
 * message, occurredAt included.
 */
function* live(
  options: ResolvedScenarioOptions,
  plan: readonly PlannedEvent[],
  random: Random,
  ids: Ids,
  { ratePerSecond: rate, clock }: NonNullable<ScenarioOptions['live']>,
): Generator<DomainEvent> {
  if (!(rate > 0)) throw new RangeError('live rate must be > 0')
  const running = plan.filter((event) => event.endsAt === Number.POSITIVE_INFINITY)
  const pool = running.length > 0 ? running : plan
  const weights = pool.map((event) => event.popularity)
  const liveStart = options.start + options.spanHours * HOUR_MS
  for (let n = 0; ; n += 1) {
    const event = pool[random.weighted(weights)]!
    const occurredAt = clock === undefined ? liveStart + Math.floor((n * 1000) / rate) : Math.max(liveStart, clock())
    const next = participant(event, occurredAt, options, random, ids)
    yield next
    if (random.chance(options.duplicateRate)) yield next
  }
}
