/**
 * kafkajs 2.2.4's `createTopics({ waitForLeaders: true })` asks the controller for the new
 * topics' metadata until no partition answers LEADER_NOT_AVAILABLE, and fails on any other
 * answer. A KRaft broker can still answer UNKNOWN_TOPIC_OR_PARTITION for a topic it created a
 * moment ago, before the metadata record reaches it, more often on a loaded machine; unpatched,
 * the creation fails then. The project's patch (patches/kafkajs@2.2.4.patch) waits on that answer
 * too.
 *
 * The broker's timing cannot be provoked on demand, so the first two tests drive kafkajs's own
 * admin module with a controller that answers as such a broker does (and as a refusing one does);
 * the last creates a topic on the real broker through the same path.
 */
import { createRequire } from 'node:module'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { KAFKA_BROKERS } from './helpers/harness.js'

type ProtocolAnswer = Error & { type: string; retriable: boolean }

/** The controller broker as kafkajs's admin uses it in `createTopics`. */
interface Controller {
  createTopics(request: unknown): Promise<void>
  metadata(topics: string[]): Promise<{ topicMetadata: unknown[] }>
}

type CreateAdmin = (options: {
  logger: { namespace(name: string): Record<'debug' | 'info' | 'warn' | 'error', () => void> }
  retry: { retries: number }
  cluster: { refreshMetadata(): Promise<void>; findControllerBroker(): Promise<Controller> }
}) => Pick<Admin, 'createTopics'>

const require = createRequire(import.meta.url)
const createAdmin = require('kafkajs/src/admin/index.js') as CreateAdmin

function protocolAnswer(type: string): ProtocolAnswer {
  return Object.assign(new Error(`broker answered ${type}`), { name: 'KafkaJSProtocolError', type, retriable: true })
}

const quiet = { namespace: () => ({ debug() {}, info() {}, warn() {}, error() {} }) }

t.test('a topic the controller does not know yet for its first answers is waited for, not refused', async (t) => {
  const answers = ['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']
  let metadataRequests = 0
  const controller: Controller = {
    createTopics: async () => undefined,
    metadata: async () => {
      metadataRequests += 1
      const answer = answers.shift()
      if (answer !== undefined) throw protocolAnswer(answer)
      return { topicMetadata: [] }
    },
  }
  const admin = createAdmin({
    logger: quiet,
    retry: { retries: 0 },
    cluster: { refreshMetadata: async () => undefined, findControllerBroker: async () => controller },
  })
  t.equal(await admin.createTopics({ topics: [{ topic: 'fresh' }], waitForLeaders: true }), true, 'created')
  t.equal(metadataRequests, 4, 'asked until the controller knew the topic and its leaders')
})

t.test('any other answer still fails the creation', async (t) => {
  const controller: Controller = {
    createTopics: async () => undefined,
    metadata: async () => {
      throw protocolAnswer('TOPIC_AUTHORIZATION_FAILED')
    },
  }
  const admin = createAdmin({
    logger: quiet,
    retry: { retries: 0 },
    cluster: { refreshMetadata: async () => undefined, findControllerBroker: async () => controller },
  })
  await t.rejects(admin.createTopics({ topics: [{ topic: 'refused' }], waitForLeaders: true }), {
    name: 'KafkaJSProtocolError',
    message: /TOPIC_AUTHORIZATION_FAILED/,
  })
})

t.test('on the real broker a created topic has a leader for every partition when createTopics returns', async (t) => {
  const topic = `create-topics-${randomUUID().slice(0, 8)}`
  const admin = new Kafka({ clientId: 'create-topics-test', brokers: [KAFKA_BROKERS], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  t.teardown(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.disconnect()
  })
  t.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true }), true, 'created')
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
  const leaders = topics[0]?.partitions.map((partition) => partition.leader) ?? []
  t.equal(leaders.length, 4, 'four partitions')
  t.ok(
    leaders.every((leader) => leader >= 0),
    `every partition has a leader: ${leaders.join(', ')}`,
  )
})
