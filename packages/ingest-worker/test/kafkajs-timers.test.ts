/**
 * kafkajs 2.2.4 schedules its request queue's check with a negative delay when nothing is
 * throttled; Node 24 warns about each (TimeoutNegativeWarning) on every client's connect, which
 * every service and `npm start` printed. The project's patch (patches/kafkajs@2.2.4.patch)
 * passes the delay Node would use anyway. Real broker: the warning comes from a live connection.
 */
import t from 'tap'
import { Kafka, logLevel } from 'kafkajs'
import { KAFKA_BROKERS } from './helpers/harness.js'

t.test('connecting, asking and producing with kafkajs raises no TimeoutNegativeWarning', async (t) => {
  const warnings: string[] = []
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`)
  process.on('warning', onWarning)
  t.teardown(() => void process.off('warning', onWarning))

  const kafka = new Kafka({ clientId: 'timers-test', brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  t.ok(Array.isArray(await admin.listTopics()), 'the broker answered')
  const producer = kafka.producer()
  await producer.connect()
  await producer.disconnect()
  await admin.disconnect()
  // 'warning' is emitted on the next tick after the timer is created
  await new Promise((resolve) => setImmediate(resolve))
  t.same(
    warnings.filter((warning) => warning.startsWith('TimeoutNegativeWarning')),
    [],
    'no negative timer delay',
  )
})
