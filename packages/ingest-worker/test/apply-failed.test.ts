/**
 * A valid message PostgreSQL refuses (here: a CHECK constraint the test adds, standing for
 * any data error of SQLSTATE class 22/23) ends in the dead-letter topic, once, as
 * APPLY_FAILED with its original bytes and the database's reason; the rest of its batch and
 * the later messages of the same event are applied; no job is left failed in BullMQ.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { DomainEvent } from '@event-analytics/contracts'
import { countClaimedMessages } from '@event-analytics/db'
import { createEventProducer } from '@event-analytics/simulator'
import { createIngestWorker } from '../src/index.js'
import { createHarness, waitFor, KAFKA_BROKERS, REGISTRY_URL } from './helpers/harness.js'

const harness = await createHarness()
const worker = createIngestWorker(harness.config)
const producer = await createEventProducer({ brokers: [KAFKA_BROKERS], registryUrl: REGISTRY_URL, topics: harness.topics })
t.teardown(async () => {
  await worker.close()
  await producer.close()
  await harness.close()
})

const participant = (channelName: string): DomainEvent => ({
  kind: 'ParticipantRegistered',
  messageId: randomUUID(),
  occurredAt: Date.now() - 60_000,
  eventId: 'evt-refused',
  participantId: randomUUID(),
  channelName,
})

t.test('a message PostgreSQL refuses is dead-lettered APPLY_FAILED once; the rest is applied', async (t) => {
  await sql`ALTER TABLE channel_stats ADD CONSTRAINT test_refuses_channel CHECK (channel_name <> 'REFUSED')`.execute(harness.database.db)
  const aggregator = await harness.startAggregator()
  await worker.start()
  const refused = participant('REFUSED')
  const before = Array.from({ length: 20 }, () => participant('INSTAGRAM'))
  const after = Array.from({ length: 20 }, () => participant('KAKAO'))
  await producer.send([...before.slice(0, 10), refused, ...before.slice(10)])
  await producer.send(after)

  const wanted = before.length + after.length
  await waitFor('the valid messages applied', async () => ((await countClaimedMessages(harness.database.db)) >= wanted ? true : undefined))
  const letters = await harness.deadLetters()
  t.equal(letters.length, 1, 'exactly one dead letter')
  const letter = letters[0]
  const header = (name: string) => letter?.headers?.[name]?.toString()
  t.equal(header('x-error-code'), 'APPLY_FAILED')
  t.match(header('x-error-message'), /test_refuses_channel/, "the database's reason")
  t.equal(header('x-source-topic'), harness.topics.ParticipantRegistered)
  t.match(header('x-source-offset'), /^\d+$/)
  t.equal(letter?.key?.toString(), 'evt-refused', 'original key')
  const decoded = await producer.registry.decode(letter?.value as Buffer)
  t.match(decoded, { messageId: refused.messageId }, 'original value bytes')

  t.equal(await countClaimedMessages(harness.database.db), wanted, 'every other message applied, once')
  t.equal((await harness.queue().getJobCounts('failed'))['failed'] ?? 0, 0, 'no job left failed in BullMQ')
  t.match(await aggregator.metrics.registry.metrics(), /aggregator_poison_messages_total 1\n/, 'the refused message is counted once')
})
