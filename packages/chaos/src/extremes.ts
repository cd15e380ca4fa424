/**
 * The largest inputs validation accepts, sent among normal traffic: each must end
 * in exactly one place — applied (the columns are wide enough for a lifetime of them) or an
 * APPLY_FAILED dead letter — and the rest of the event must still match the ground truth.
 * - 200 distributions of 9999999999999.99 (decimal(15,2) at its largest) to one channel;
 * - an event expecting revenue 9999999999999.99 from 1 participant, then 3 (and counting)
 *   participants: estimated revenue is a multiple of the largest single value.
 */
import { randomUUID } from 'node:crypto'
import type { DomainEvent } from '@event-analytics/contracts'

export const LARGEST_MONEY = '9999999999999.99'

export function extremeEvents(run: string, at: number, owner: string): DomainEvent[] {
  const envelope = (eventId: string, offsetMs: number) => ({ messageId: randomUUID(), eventId, occurredAt: at + offsetMs })
  const costly = `${run}-xcost`
  const lucrative = `${run}-xrev`
  const created = (eventId: string, title: string, expectedParticipants: number): DomainEvent => ({
    kind: 'EventCreated',
    ...envelope(eventId, 0),
    userId: owner,
    title,
    totalInvestment: LARGEST_MONEY,
    expectedRevenue: LARGEST_MONEY,
    expectedParticipants,
    targetRoi: '99999999.99',
    salesGrowthRate: null,
  })
  const events: DomainEvent[] = [created(costly, '최대 비용 이벤트', 1000), created(lucrative, '최대 매출 이벤트', 1)]
  for (let index = 0; index < 200; index += 1) {
    events.push({
      kind: 'DistributionCompleted',
      ...envelope(costly, 1000 + index),
      channels: [{ channelName: 'GENIE_TV', channelType: 'TV', distributionCost: LARGEST_MONEY }],
    })
  }
  for (let index = 0; index < 40; index += 1) {
    events.push({
      kind: 'ParticipantRegistered',
      ...envelope(lucrative, 2000 + index * 60_000),
      participantId: randomUUID(),
      channelName: index % 2 === 0 ? 'INSTAGRAM' : null,
    })
  }
  return events
}

/** `extra` spread evenly through `normal`, so the extremes share batches with ordinary messages. */
export function interleave<T>(normal: readonly T[], extra: readonly T[]): T[] {
  const result: T[] = []
  const every = Math.max(1, Math.floor(normal.length / Math.max(1, extra.length)))
  let next = 0
  normal.forEach((item, index) => {
    result.push(item)
    if (index % every === every - 1 && next < extra.length) result.push(extra[next++] as T)
  })
  return [...result, ...extra.slice(next)]
}
