/**
 * A commit transaction whose EndTxn fails (the broker went away mid-commit) ends the transaction
 * for kafkajs: the abort is refused and every later transaction too, its state machine stuck in
 * COMMITTING. Found by the chaos suite's broker restart (the ingest worker stalled for good). The
 * committer recognises the state and renews the producer; this shows both on a real broker of
 * the test's own, and that the renewed producer's first transaction commits while the stuck one
 * is aborted by the coordinator (read_committed sees only the second).
 */
import t from 'tap'
import { createTransactionalProducer, isTransactionStateStuck, readTopicToEnd } from '@event-analytics/ingest-worker'
import { Kafka, logLevel } from 'kafkajs'
import { createTopic, startOwnKafka } from './helpers/own-kafka.js'

t.setTimeout(240_000)

t.test('a commit that fails mid-way leaves kafkajs stuck; a renewed producer commits again', async (t) => {
  const kafka = await startOwnKafka(t, 'stuck-transaction')
  // kafkajs's default retries: a fresh or restarted broker creates and loads its coordinators'
  // logs on first use, which can outlast a few quick retries on a loaded machine. The commit below
  // still fails, since the broker stays down until it has: it only takes its retries' time.
  const client = new Kafka({ clientId: 'stuck-transaction', brokers: [kafka.brokers], logLevel: logLevel.NOTHING })
  const topic = 'stuck-transaction'
  await createTopic(client, topic)

  const producer = createTransactionalProducer(client, 'stuck-transaction-tx')
  await producer.connect()
  const first = await producer.transaction()
  await first.send({ topic, messages: [{ value: 'first' }] })
  await kafka.stop()
  await t.rejects(first.commit(), 'the commit fails with the broker gone')
  await kafka.start()

  await t.rejects(first.abort(), /once ended/, 'kafkajs refuses the abort of a transaction whose commit failed')
  const stuck = await producer.transaction().then(
    () => undefined,
    (error: unknown) => error,
  )
  t.ok(isTransactionStateStuck(stuck), `every later transaction is refused: ${String(stuck)}`)

  await producer.renew()
  const second = await producer.transaction()
  await second.send({ topic, messages: [{ value: 'second' }] })
  await second.commit()
  await producer.disconnect()

  const read = [...(await readTopicToEnd(client, topic)).values()].flat().map((message) => message.value?.toString())
  t.same(read, ['second'], 'the renewed producer committed; the stuck transaction was aborted')
})
