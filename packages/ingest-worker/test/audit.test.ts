/**
 * The topic audit on the real stack: after the pipeline settled, every message Kafka holds is
 * applied or dead-lettered; a claim removed behind the pipeline's back is named as missing.
 */
import t from 'tap'
import { sql } from 'kysely'
import { countClaimedMessages } from '@event-analytics/db'
import { createEventProducer } from '@event-analytics/simulator'
import { auditPassed, auditTopics, createIngestWorker, formatAudit, topicKinds } from '../src/index.js'
import { createHarness, waitFor, KAFKA_BROKERS, REGISTRY_URL } from './helpers/harness.js'
import { participant } from './helpers/events.js'

const harness = await createHarness()
const worker = createIngestWorker(harness.config)
const producer = await createEventProducer({ brokers: [KAFKA_BROKERS], registryUrl: REGISTRY_URL, topics: harness.topics })
t.teardown(async () => {
  await worker.close()
  await producer.close()
  await harness.close()
})

const audit = () =>
  auditTopics({
    kafka: harness.kafka,
    registry: harness.registry,
    db: harness.database.db,
    groupId: harness.config.KAFKA_GROUP_ID,
    topics: topicKinds(harness.config),
    deadLetterTopic: harness.config.TOPIC_DEAD_LETTER,
    idleMs: 1500,
  })

t.test('every message in exactly one place; a lost one is named', async (t) => {
  await harness.startAggregator()
  await worker.start()
  const valid = Array.from({ length: 30 }, (_, index) => participant(`evt-audit-${index % 3}`))
  await producer.send(valid)
  await producer.sendRaw(harness.topics.ParticipantRegistered, [{ key: 'evt-audit-0', value: Buffer.from('not avro') }])
  await waitFor('every valid message applied', async () =>
    (await countClaimedMessages(harness.database.db)) >= valid.length ? true : undefined,
  )
  t.equal((await harness.deadLetters()).length, 1, 'the undecodable one dead-lettered')

  const settled = await waitFor('nothing in flight', async () => {
    const audits = await audit()
    return audits.every((a) => a.inFlight === 0) ? audits : undefined
  })
  t.ok(auditPassed(settled), formatAudit(settled))
  const participants = settled.filter((a) => a.topic === harness.topics.ParticipantRegistered)
  t.equal(
    participants.reduce((sum, a) => sum + a.applied, 0),
    valid.length,
  )
  t.equal(
    participants.reduce((sum, a) => sum + a.deadLettered, 0),
    1,
  )

  const lost = valid[7]!
  await sql`DELETE FROM processed_messages WHERE claim_key = message_claim_key(${lost.messageId})`.execute(harness.database.db)
  const after = await audit()
  t.notOk(auditPassed(after), 'the audit fails')
  t.same(
    after.flatMap((a) => a.missing.map((m) => m.messageId)),
    [lost.messageId],
    'and names exactly the message in neither place',
  )
  t.match(formatAudit(after), new RegExp(`MISSING .* message ${lost.messageId}`))
})
