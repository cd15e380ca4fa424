/**
 * readAlertFacts reads an event and its channels from one snapshot. A plugin commits a batch's
 * effect (a channel's new cost and the event's new total investment, together, as the aggregator
 * does) from another connection right after the facts' first statement returns. Facts read in two
 * statements would hold the old total beside the new cost, a state no commit ever had.
 */
import t from 'tap'
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { readAlertFacts } from '../src/index.js'
import { createTestDatabase } from '../src/testing/index.js'

/** Runs `between` once, after the first statement's result arrives and before the caller sees it. */
class CommitAfterFirstStatement implements KyselyPlugin {
  private done = false
  constructor(private readonly between: () => Promise<void>) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.done) {
      this.done = true
      await this.between()
    }
    return args.result
  }
}

t.test('an event and its channels come from one snapshot, whatever commits meanwhile', async (t) => {
  const { db } = await createTestDatabase(t)
  await db
    .insertInto('event_stats')
    .values({
      event_id: 'evt',
      user_id: 'owner',
      event_created_at: new Date(),
      own_investment: '1000.00',
      distribution_cost: '200.00',
      total_investment: '1200.00',
      total_participants: 11,
    })
    .execute()
  await db
    .insertInto('channel_stats')
    .values({
      event_id: 'evt',
      channel_name: 'DEAR',
      channel_type: 'SNS',
      participants: 1,
      distribution_count: 1,
      distribution_cost: '200.00',
    })
    .execute()
  // A second distribution to DEAR, committed as one batch: the channel's cost and the event's total move together.
  const commitBatch = async () => {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('channel_stats')
        .set({ distribution_cost: '300.00', distribution_count: 2 })
        .where('event_id', '=', 'evt')
        .execute()
      await trx
        .updateTable('event_stats')
        .set({ distribution_cost: '300.00', total_investment: '1300.00' })
        .where('event_id', '=', 'evt')
        .execute()
    })
  }
  const [facts] = await readAlertFacts(db.withPlugin(new CommitAfterFirstStatement(commitBatch)), ['evt'])
  const pair = { totalInvestment: facts?.totalInvestment, channelCost: facts?.channels[0]?.distributionCost }
  t.ok(
    (pair.totalInvestment === '1200.00' && pair.channelCost === '200.00') ||
      (pair.totalInvestment === '1300.00' && pair.channelCost === '300.00'),
    `a state some commit had: ${JSON.stringify(pair)}`,
  )
})

t.test('the facts carry each channel as stored, in name order, with its provider; an event without channels has none', async (t) => {
  const { db } = await createTestDatabase(t)
  const createdAt = new Date('2026-03-01T10:00:00.123Z')
  await db
    .insertInto('event_stats')
    .values([
      { event_id: 'evt', user_id: 'owner', event_created_at: createdAt, total_investment: '1200.00', total_participants: 11 },
      { event_id: 'quiet', user_id: 'owner', event_created_at: createdAt },
      // Not visible yet (no EventCreated): no facts.
      { event_id: 'unseen', user_id: null },
    ])
    .execute()
  await db
    .insertInto('channel_stats')
    .values([
      {
        event_id: 'evt',
        channel_name: 'tv-main',
        channel_type: 'TV',
        participants: 7,
        distribution_count: 2,
        distribution_cost: '12345678901234.56',
        last_participant_at: new Date('2026-03-02T11:22:33.456Z'),
        created_at: createdAt,
        metrics_as_of: new Date('2026-03-02T12:00:00.789Z'),
      },
      { event_id: 'evt', channel_name: 'sns-feed', channel_type: null, participants: 4, created_at: createdAt },
    ])
    .execute()
  await db
    .insertInto('provider_health')
    .values({ channel_type: 'TV', state: 'open', changed_at: new Date('2026-03-02T09:00:00.001Z') })
    .execute()
  const facts = await readAlertFacts(db, ['evt', 'quiet', 'unseen', 'absent'])
  t.same(
    facts.map((event) => event.eventId),
    ['evt', 'quiet'],
  )
  t.strictSame(facts[0]?.channels, [
    {
      channelName: 'sns-feed',
      channelType: null,
      participants: 4,
      distributionCount: 0,
      distributionCost: '0.00',
      lastParticipantAt: null,
      createdAt,
      metricsAsOf: null,
      providerState: null,
      providerChangedAt: null,
    },
    {
      channelName: 'tv-main',
      channelType: 'TV',
      participants: 7,
      distributionCount: 2,
      distributionCost: '12345678901234.56',
      lastParticipantAt: new Date('2026-03-02T11:22:33.456Z'),
      createdAt,
      metricsAsOf: new Date('2026-03-02T12:00:00.789Z'),
      providerState: 'open',
      providerChangedAt: new Date('2026-03-02T09:00:00.001Z'),
    },
  ])
  t.strictSame(facts[1]?.channels, [])
  t.equal(facts[0]?.totalInvestment, '1200.00')
  t.equal(facts[0]?.totalParticipants, 11)
})
