/**
 * The alert monitor: with no batch at all, time alone makes a channel silent; the clock pass
 * opens the alert, drops the event's cached dashboard and announces the event, so open streams
 * reload. A batch queued after its commit resolves it the same way.
 */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { Redis } from 'ioredis'
import { cacheKeys, decodeChange } from '@event-analytics/contracts'
import type { DomainEvent } from '@event-analytics/contracts'
import { createLogger } from '@event-analytics/ops'
import { createTestDatabase } from '@event-analytics/db/testing'
import { commitMessages } from '../src/apply.js'
import { AlertMonitor, evaluateAlerts } from '../src/alerts/evaluate.js'
import { REDIS_URL } from './helpers/queue.js'
import type { Draft } from './helpers/streams.js'

const HOUR_MS = 3_600_000
const NOW = Date.now()
const run = randomBytes(3).toString('hex')
const eventId = `clock-${run}`

const message = (id: string, body: Draft): DomainEvent => ({ ...body, messageId: `${run}-${id}`, eventId }) as DomainEvent

t.test('a clock pass opens a silent-channel alert and announces the event, once', async (t) => {
  const { db } = await createTestDatabase(t)
  await commitMessages(db, [
    message('c', {
      kind: 'EventCreated',
      occurredAt: NOW - 24 * HOUR_MS,
      userId: 'owner-clock',
      title: 'Clock',
      totalInvestment: '10.00',
      expectedRevenue: '10.00',
      expectedParticipants: null,
      targetRoi: '0.00',
      salesGrowthRate: null,
    }),
    message('d', {
      kind: 'DistributionCompleted',
      occurredAt: NOW - 20 * HOUR_MS,
      channels: [
        { channelName: 'KAKAO', channelType: 'SNS', distributionCost: '1.00' },
        { channelName: 'NAVER', channelType: 'SNS', distributionCost: '1.00' },
      ],
    }),
    message('p1', { kind: 'ParticipantRegistered', occurredAt: NOW - HOUR_MS, participantId: 'a', channelName: 'KAKAO' }),
    message('p2', { kind: 'ParticipantRegistered', occurredAt: NOW - 5 * HOUR_MS, participantId: 'b', channelName: 'NAVER' }),
  ])
  t.same(await evaluateAlerts(db, [eventId], new Date(NOW)), [], 'NAVER is 5 hours quiet: not yet silent')

  const cache = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  const subscriber = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  t.teardown(() => {
    cache.disconnect()
    subscriber.disconnect()
  })
  const channel = `alerts-clock-${run}`
  await subscriber.subscribe(channel)
  const announcements: (readonly string[])[] = []
  subscriber.on('message', (_from: string, text: string) => {
    const change = decodeChange(text)
    if (change !== undefined) announcements.push(change.eventIds)
  })
  /** The announcements once `count` arrived (pub/sub delivers after the publish returned). */
  const heard = async (count: number): Promise<(readonly string[])[]> => {
    while (announcements.length < count) await new Promise((resolve) => subscriber.once('message', resolve))
    return announcements
  }
  await cache.set(cacheKeys.dashboard(eventId), 'before the alert')
  t.teardown(() => cache.del(cacheKeys.dashboard(eventId)).then(() => undefined))

  // Two hours later, nothing else happened: NAVER is 7 hours quiet while KAKAO brought someone 3 hours ago.
  const monitor = new AlertMonitor({
    db,
    cache,
    changesChannel: channel,
    intervalMs: 60_000,
    logger: createLogger('alerts-clock-test', 'silent'),
    now: () => new Date(NOW + 2 * HOUR_MS),
  })
  await monitor.tick()
  t.same(await heard(1), [[eventId]], 'the event is announced')
  t.equal(await cache.exists(cacheKeys.dashboard(eventId)), 0, 'its cached dashboard is gone')
  const open = await db.selectFrom('alerts').select(['rule', 'channel_name', 'state']).execute()
  t.same(open, [{ rule: 'channel_silent', channel_name: 'NAVER', state: 'open' }])

  await monitor.tick()
  t.same(await db.selectFrom('alert_transitions').select('state').execute(), [{ state: 'open' }], 'the second pass wrote nothing')

  // A NAVER participant is committed; the batch queues the event, the monitor resolves and announces.
  await commitMessages(db, [message('p3', { kind: 'ParticipantRegistered', occurredAt: NOW, participantId: 'c', channelName: 'NAVER' })])
  monitor.afterBatch([eventId])
  await monitor.idle()
  t.same(await heard(2), [[eventId], [eventId]], 'announced again')
  await monitor.close()
  const outbox = await db.selectFrom('alert_transitions').select('state').orderBy('id').execute()
  t.same(outbox, [{ state: 'open' }, { state: 'resolved' }])
})
