/**
 * End to end against the running stack: register an Avro schema in Apicurio (Confluent-compatible
 * API), produce a Confluent-framed message with kafkajs, consume it in a consumer group, decode it.
 * Fails (never skips) when the stack does not answer: run `pnpm stack up` first.
 */
import { randomUUID } from 'node:crypto'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs'
import t from 'tap'
import { stackEndpoints } from '../src/index.js'
import { httpOk, kafkaAnswers } from '../src/probes.js'

const endpoints = stackEndpoints()

const schema = {
  type: 'record',
  name: 'SmokeEvent',
  namespace: 'eventmarketing.v1',
  fields: [
    { name: 'messageId', type: 'string' },
    { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'eventId', type: 'string' },
    { name: 'seats', type: 'int' },
  ],
}

function firstMessage(consumer: Consumer, timeoutMs: number): Promise<KafkaMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message consumed within ${timeoutMs / 1000}s`)), timeoutMs)
    consumer
      .run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer)
          resolve(message)
        },
      })
      .catch(reject)
  })
}

let reachable = false

t.test('the stack answers', async (t) => {
  const kafka = (await kafkaAnswers(endpoints.kafkaBrokers)) !== undefined
  const registry = await httpOk(`${endpoints.registryUrl}/subjects`)
  t.ok(kafka, `Kafka answers metadata at ${endpoints.kafkaBrokers.join(',')} (is the stack up? run: pnpm stack up)`)
  t.ok(registry, `registry answers at ${endpoints.registryUrl}/subjects (run: pnpm stack up)`)
  reachable = kafka && registry
})

t.test('Avro round trip through Kafka and the registry', async (t) => {
  if (!reachable) {
    t.fail('stack not reachable: cannot run the round trip (run: pnpm stack up)')
    return
  }
  const topic = `dev-stack-smoke-${randomUUID()}`
  const kafka = new Kafka({ clientId: 'dev-stack-smoke', brokers: endpoints.kafkaBrokers, logLevel: logLevel.ERROR, retry: { retries: 3 } })
  const registry = new SchemaRegistry({ host: endpoints.registryUrl })

  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: `${topic}-value` })
  t.ok(Number.isInteger(id) && id > 0, `schema registered with id ${id}`)

  const admin = kafka.admin()
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  // its disconnect waits for the fetch in flight: 0.5 s instead of kafkajs' 5 s
  const consumer = kafka.consumer({ groupId: `dev-stack-smoke-${randomUUID()}`, maxWaitTimeInMs: 500 })
  t.teardown(async () => {
    await Promise.allSettled([producer.disconnect(), consumer.disconnect()])
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.disconnect()
    const subjectUrl = `${endpoints.registryUrl}/subjects/${topic}-value`
    await fetch(subjectUrl, { method: 'DELETE' }).catch(() => undefined)
    await fetch(`${subjectUrl}?permanent=true`, { method: 'DELETE' }).catch(() => undefined)
  })
  await admin.connect()
  t.ok(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }), 'topic created')

  const payload = { messageId: randomUUID(), occurredAt: Date.UTC(2026, 0, 15, 9, 30), eventId: randomUUID(), seats: 42 }
  const value = await registry.encode(id, payload)
  t.equal(value.readUInt8(0), 0, 'Confluent magic byte')
  t.equal(value.readUInt32BE(1), id, 'schema id in the frame')

  await producer.connect()
  await producer.send({ topic, messages: [{ key: payload.eventId, value }] })

  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const message = await firstMessage(consumer, 60_000)
  t.equal(message.key?.toString('utf8'), payload.eventId, 'key is the eventId')
  t.ok(message.value, 'message has a value')

  const fresh = new SchemaRegistry({ host: endpoints.registryUrl }) // no cached schemas: fetches by id
  const decoded: unknown = await fresh.decode(message.value!)
  t.same(decoded, payload, 'decoded back to what was produced')
  const fetched: unknown = JSON.parse(JSON.stringify(await fresh.getSchema(id)))
  t.match(fetched, { name: 'eventmarketing.v1.SmokeEvent' }, 'schema fetched by id')
})
