/**
 * readTopicToEnd when kafkajs stops the reader's consumer for good. A reader with few retries that
 * meets a group coordinator still loading (a broker just restarted) has its consumer stopped; the
 * read must then end with the reason instead of waiting for a join that never comes. A broker that
 * refuses every join (its minimum session timeout is above the reader's 30 s) stops the consumer on
 * every attempt, so the path is taken on every run.
 */
import t from 'tap'
import { readTopicToEnd } from '@event-analytics/ingest-worker'
import { Kafka, logLevel } from 'kafkajs'
import { createTopic, startOwnKafka } from './helpers/own-kafka.js'

t.setTimeout(240_000)

t.test('a reader whose consumer kafkajs stopped fails with the reason instead of waiting forever', async (t) => {
  const kafka = await startOwnKafka(t, 'reader-stopped', { extraProperties: ['group.min.session.timeout.ms=45000'] })
  const client = new Kafka({ clientId: 'reader-stopped', brokers: [kafka.brokers], logLevel: logLevel.NOTHING })
  const topic = 'reader-stopped'
  await createTopic(client, topic)
  const producer = client.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ value: 'a' }] })
  await producer.disconnect()

  const started = Date.now()
  await t.rejects(readTopicToEnd(client, topic), /the reader's consumer stopped: .*session timeout/i, 'the read ends with the join refusal')
  t.ok(
    Date.now() - started < 120_000,
    `within the attempts' own time (${Math.round((Date.now() - started) / 1000)} s), not the test's timeout`,
  )
})
