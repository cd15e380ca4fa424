/**
 * Harness of the channel-metrics tests: a fresh database with seeded events/channels, the
 * simulated providers on a free port with a movable clock, and an aggregator pointed at them
 * whose pino output is captured.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import type { DomainEvent } from '@event-analytics/contracts'
import type { ChannelTypeValue } from '@event-analytics/db'
import { createTestDatabase } from '@event-analytics/db/testing'
import type { TestDatabase } from '@event-analytics/db/testing'
import { createProviderSim } from '@event-analytics/provider-sim'
import type { ProviderSim } from '@event-analytics/provider-sim'
import { pino } from 'pino'
import { commitMessages, createAggregator } from '../../src/index.js'
import type { Aggregator } from '../../src/index.js'
import type { ChannelMetricsConfig } from '../../src/channel-metrics/config.js'
import { testConfig, uniquePrefix } from './queue.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

export interface Harness {
  readonly testDb: TestDatabase
  readonly sim: ProviderSim
  readonly aggregator: Aggregator
  /** Clock of the simulated providers (epoch ms). */
  readonly clock: { now: number }
  /** Every pino line the aggregator wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>
  readonly run: string
}

export async function createHarness(t: Teardown, overrides: Partial<ChannelMetricsConfig> = {}, clockStart = Date.now()): Promise<Harness> {
  const testDb = await createTestDatabase(t)
  const clock = { now: clockStart }
  const sim = await createProviderSim({ port: 0, now: () => clock.now })
  t.teardown(() => sim.close())
  const logs: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>)
      callback()
    },
  })
  const channelMetrics: ChannelMetricsConfig = {
    enabled: true,
    baseUrls: { TV: sim.baseUrl('tv'), SNS: sim.baseUrl('sns'), VOICE: sim.baseUrl('voice') },
    refreshMs: 300_000,
    timeoutMs: 2000,
    retries: 1,
    retryBaseMs: 10,
    concurrency: 4,
    breakerErrorPercent: 50,
    breakerVolumeThreshold: 2,
    breakerWindowMs: 60_000,
    breakerResetMs: 300_000,
    ...overrides,
  }
  const prefix = uniquePrefix('channel-metrics')
  const aggregator = createAggregator(
    { ...testConfig(testDb.url, prefix), channelMetrics },
    { defaultMetrics: false, logger: pino({ level: 'debug' }, stream) },
  )
  await aggregator.start()
  t.teardown(async () => {
    await aggregator.channelMetrics?.queue.obliterate({ force: true }).catch(() => undefined)
    await aggregator.close()
  })
  await firstScheduledRefresh(aggregator)
  return { testDb, sim, aggregator, clock, logs, run: randomBytes(3).toString('hex') }
}

/**
 * A BullMQ job scheduler with `every` runs its first job at once. Waiting for it (it finds no
 * events yet) keeps it from racing the refreshes a test runs itself; the next one is a
 * refreshMs away.
 */
async function firstScheduledRefresh(aggregator: Aggregator): Promise<void> {
  const queue = aggregator.channelMetrics?.queue
  if (queue === undefined) return
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed')
    if ((counts['completed'] ?? 0) + (counts['failed'] ?? 0) > 0) return
    await sleep(20)
  }
}

let n = 0
const id = (): string => `cm-${process.pid}-${(n += 1)}`

export function created(eventId: string, userId: string, occurredAt: number): DomainEvent {
  return {
    kind: 'EventCreated',
    messageId: id(),
    eventId,
    occurredAt,
    userId,
    title: 'Metrics test',
    totalInvestment: '1000.00',
    expectedRevenue: '5000.00',
    expectedParticipants: 10,
    targetRoi: '100.00',
    salesGrowthRate: null,
  }
}

export function distributed(eventId: string, occurredAt: number, channels: ReadonlyArray<[string, ChannelTypeValue]>): DomainEvent {
  return {
    kind: 'DistributionCompleted',
    messageId: id(),
    eventId,
    occurredAt,
    channels: channels.map(([channelName, channelType]) => ({ channelName, channelType, distributionCost: '10.00' })),
  }
}

export function participant(eventId: string, occurredAt: number, channelName: string | null): DomainEvent {
  return { kind: 'ParticipantRegistered', messageId: id(), eventId, occurredAt, participantId: 'p', channelName }
}

export function ended(eventId: string, occurredAt: number): DomainEvent {
  return { kind: 'EventStatusChanged', messageId: id(), eventId, occurredAt, status: 'ENDED' }
}

export const THREE_CHANNELS: ReadonlyArray<[string, ChannelTypeValue]> = [
  ['GENIE_TV', 'TV'],
  ['INSTAGRAM', 'SNS'],
  ['RINGO_BIZ', 'VOICE'],
]

/** One visible ACTIVE event with a channel of each type. */
export async function seedEvent(harness: Harness, eventId: string, at: number, channels = THREE_CHANNELS): Promise<void> {
  await commitMessages(harness.testDb.db, [created(eventId, `owner-${harness.run}`, at), distributed(eventId, at, channels)])
}

export { uniquePrefix }
