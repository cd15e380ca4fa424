/** Job identity: stable for the same messages, different for other messages at the same offsets. */
import { createHash } from 'node:crypto'
import t from 'tap'
import type { DomainEvent } from '../src/events.js'
import { fromJobEvent, ingestJobId, toJobEvent, type IngestBatchJob } from '../src/ingest-job.js'

function participant(messageId: string): DomainEvent {
  return { kind: 'ParticipantRegistered', messageId, occurredAt: 0, eventId: 'evt-1', participantId: 'p-1', channelName: 'KAKAO' }
}

function job(messageIds: readonly string[], offsets: readonly string[], topic = 'participant-registered'): IngestBatchJob {
  return {
    source: { topic, partition: 0, firstOffset: offsets[0] ?? '0', lastOffset: offsets.at(-1) ?? '0' },
    events: messageIds.map(participant),
    offsets,
  }
}

t.test('the same messages at the same offsets: the same id (a batch read again after a crash)', async (t) => {
  t.equal(ingestJobId(job(['m-1', 'm-2'], ['2', '3']), 0), ingestJobId(job(['m-1', 'm-2'], ['2', '3']), 0))
})

t.test('other messages at the same offsets (a fresh Kafka, a recreated topic): another id', async (t) => {
  const before = ingestJobId(job(['m-1', 'm-2'], ['2', '3']), 0)
  const after = ingestJobId(job(['m-1', 'm-9'], ['2', '3']), 0)
  t.not(after, before)
  t.ok(after.startsWith('participant-registered|0|2-3|0|'), 'the readable prefix names topic, partition, range and chunk')
  t.match(after, /\|[0-9a-f]{32}$/, '128 bits of digest')
})

t.test('the same message ids at other offsets, or in another chunk: another id', async (t) => {
  const base = ingestJobId(job(['m-1', 'm-2'], ['2', '3']), 0)
  t.not(ingestJobId(job(['m-1', 'm-2'], ['2', '4']), 0), base, 'apply failures are addressed by offset')
  t.not(ingestJobId(job(['m-1', 'm-2'], ['2', '3']), 1), base)
  t.not(ingestJobId(job(['m-1', 'm-2'], ['2', '3'], 'other-topic'), 0), base)
})

t.test('a message id cannot be shifted into its neighbour to forge the same digest', async (t) => {
  t.not(ingestJobId(job(['ab', 'c'], ['2', '3']), 0), ingestJobId(job(['a', 'bc'], ['2', '3']), 0))
})

t.test('the id of a given batch never changes between versions: a batch re-planned by an upgraded worker is recognised', async (t) => {
  // The digest's definition: SHA-256 over "offset NUL messageId LF" per event, in order, first 32 hex digits.
  const expected = createHash('sha256').update('2\u0000m-1\n').update('3\u0000m-2\n').digest('hex').slice(0, 32)
  t.equal(ingestJobId(job(['m-1', 'm-2'], ['2', '3']), 0), `participant-registered|0|2-3|0|${expected}`)
  t.equal(expected, 'ff2b437d0417a66318d007de06d1e786', 'the known answer, so a change of the definition shows here too')
})

t.test('a job that carries its participants as tuples has the id of the same job with objects', async (t) => {
  const objects = job(['m-1', 'm-2'], ['2', '3'])
  t.equal(ingestJobId({ ...objects, events: ['m-1', 'm-2'].map((id) => toJobEvent(participant(id))) }, 0), ingestJobId(objects, 0))
})

t.test('a ParticipantRegistered travels as its tuple and reads back as its object; other kinds as they are', async (t) => {
  const named: DomainEvent = participant('m-1')
  const unnamed: DomainEvent = {
    kind: 'ParticipantRegistered',
    messageId: 'm-2',
    occurredAt: 5,
    eventId: 'evt-2',
    participantId: 'p-2',
    channelName: null,
  }
  const status: DomainEvent = { kind: 'EventStatusChanged', messageId: 'm-3', occurredAt: 6, eventId: 'evt-1', status: 'ENDED' }
  t.same(toJobEvent(named), ['m-1', 0, 'evt-1', 'p-1', 'KAKAO'])
  t.same(toJobEvent(unnamed), ['m-2', 5, 'evt-2', 'p-2', null])
  t.equal(toJobEvent(status), status, 'another kind is its object')
  for (const event of [named, unnamed, status]) {
    const wire: unknown = JSON.parse(JSON.stringify(toJobEvent(event)))
    t.strictSame(fromJobEvent(wire), event, `${event.messageId} survives the job's JSON`)
  }
  t.same(fromJobEvent(['m-1', 0, 'evt-1']), ['m-1', 0, 'evt-1'], 'a tuple of another length is left for the reader to refuse')
})
