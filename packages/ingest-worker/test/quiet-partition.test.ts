/**
 * A partition that only ever receives bad messages has no job to wait for: its dead letters
 * and its commit must still go out (found by the chaos suite: a committer that skips its pass
 * when no job is pending anywhere leaves such a partition uncommitted for good).
 */
import t from 'tap'
import { createIngestWorker } from '../src/index.js'
import { committedOffsets } from '../src/committer.js'
import { createHarness, waitFor } from './helpers/harness.js'

const harness = await createHarness()
const worker = createIngestWorker(harness.config)
t.teardown(async () => {
  await worker.close()
  await harness.close()
})

t.test('bad messages alone are dead-lettered and committed', async (t) => {
  await worker.start()
  const producer = await harness.producer()
  const topic = harness.topics.EventStatusChanged
  await producer.send({ topic, messages: [0, 1, 2].map((index) => ({ key: 'evt-quiet', value: Buffer.from(`not avro ${index}`) })) })
  const letters = await harness.deadLetters()
  t.equal(letters.length, 3, 'each bad message dead-lettered once')
  const admin = harness.kafka.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const partition = Number(letters[0]?.headers?.['x-source-partition']?.toString())
  const committed = await waitFor('the partition committed', async () => {
    const offset = (await committedOffsets(admin, harness.config.KAFKA_GROUP_ID, [topic])).get(`${topic}\u0000${partition}`)
    return offset !== undefined && offset >= 3n ? offset : undefined
  })
  t.equal(committed, 3n, 'committed past the three bad messages')
})
