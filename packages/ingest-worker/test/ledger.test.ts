/** The hand-over ledger's bookkeeping, without a broker: what may be committed, and what is refused. */
import t from 'tap'
import type { KafkaMessage } from 'kafkajs'
import { HandOverLedger, deadLettersFrom, type PendingBatch } from '../src/ledger.js'

const message = (offset: number): KafkaMessage => ({
  offset: String(offset),
  key: Buffer.from('k'),
  value: Buffer.from(`v${offset}`),
  timestamp: '0',
  attributes: 0,
  headers: {},
})

function batch(first: number, last: number, jobs: { id: string; offsets: number[] }[], badOffsets: number[] = []): PendingBatch {
  const messages = Array.from({ length: last - first + 1 }, (_, index) => message(first + index))
  return {
    firstOffset: String(first),
    lastOffset: String(last),
    messages,
    handedOnAt: 0,
    jobs: jobs.map((job) => ({ id: job.id, offsets: job.offsets.map(String) })),
    deadLetters: badOffsets.map((offset) => ({
      key: null,
      value: Buffer.from(`bad${offset}`),
      headers: { 'x-source-offset': String(offset), 'x-error-code': 'INVALID_FIELD' },
    })),
  }
}

t.test('commits the settled prefix only, never past an unsettled batch', async (t) => {
  const ledger = new HandOverLedger()
  ledger.add('a', 0, 0, batch(0, 9, [{ id: 'j1', offsets: [0, 1, 2] }], [3]))
  ledger.add('a', 0, 0, batch(10, 19, [{ id: 'j2', offsets: [10] }]))
  ledger.add('a', 0, 0, batch(20, 29, [{ id: 'j3', offsets: [20] }], [21]))
  t.equal(ledger.pendingMessages, 30)
  t.same(ledger.plan(new Map(), new Date()), [], 'nothing settled: nothing to commit')
  const commits = ledger.plan(
    new Map([
      ['j1', []],
      ['j3', []],
    ]),
    new Date(),
  )
  t.equal(commits.length, 1)
  t.match(commits[0], { topic: 'a', partition: 0, offset: '10', batches: 1, messages: 10 }, 'stops before the unsettled j2')
  t.same(
    commits[0]?.deadLetters.map((letter) => letter.headers?.['x-source-offset']),
    ['3'],
    'only the dead letters of the committed prefix',
  )
  ledger.release(commits[0]!)
  t.equal(ledger.pendingMessages, 20)
  t.same(ledger.heads(new Map([['j3', []]])), [{ topic: 'a', partition: 0, jobIds: ['j2'] }], 'j2 holds the partition back')
})

t.test('a batch of dead letters only is committed at once', async (t) => {
  const ledger = new HandOverLedger()
  ledger.add('a', 1, 0, batch(5, 6, [], [5, 6]))
  const [commit] = ledger.plan(new Map(), new Date())
  t.match(commit, { offset: '7' })
  t.equal(commit?.deadLetters.length, 2)
})

t.test('APPLY_FAILED dead letters carry the original bytes and the reason, once per refused message', async (t) => {
  const ledger = new HandOverLedger()
  ledger.add(
    'a',
    2,
    0,
    batch(
      100,
      104,
      [
        { id: 'j1', offsets: [100, 101, 103] },
        { id: 'j2', offsets: [104] },
      ],
      [102],
    ),
  )
  const settled = new Map([
    ['j1', [{ offset: '101', messageId: 'm101', reason: 'numeric field overflow' }]],
    ['j2', [{ offset: '-1', messageId: null, reason: 'job data has no events array' }]],
  ])
  const [commit] = ledger.plan(settled, new Date('2026-11-29T00:00:00Z'))
  const letters = commit?.deadLetters ?? []
  t.same(
    letters.map((l) => [l.headers?.['x-source-offset'], l.headers?.['x-error-code']]),
    [
      ['101', 'APPLY_FAILED'],
      ['102', 'INVALID_FIELD'],
      ['104', 'APPLY_FAILED'],
    ],
    'sorted by offset; a whole-job failure names each of its messages',
  )
  t.equal(String(letters[0]?.value), 'v101', 'original value bytes')
  t.equal(letters[0]?.headers?.['x-error-message'], 'numeric field overflow')
  t.equal(letters[0]?.headers?.['x-source-topic'], 'a')
  t.equal(letters[0]?.headers?.['x-source-partition'], '2')
})

t.test('a rewound partition refuses stale batches and stale releases', async (t) => {
  const ledger = new HandOverLedger()
  const generation = ledger.generation('a', 0)
  ledger.add('a', 0, generation, batch(0, 4, [{ id: 'j1', offsets: [0] }]))
  const [commit] = ledger.plan(new Map([['j1', []]]), new Date())
  t.equal(ledger.rewind('a', 0), '0', 'read again from the first uncommitted offset')
  t.equal(ledger.pendingMessages, 0)
  t.notOk(ledger.add('a', 0, generation, batch(5, 9, [{ id: 'j2', offsets: [5] }])), 'a batch planned before the rewind is refused')
  ledger.add('a', 0, ledger.generation('a', 0), batch(0, 4, [{ id: 'j1', offsets: [0] }]))
  ledger.release(commit!)
  t.equal(ledger.pendingMessages, 5, 'a commit planned before the rewind releases nothing')
  ledger.clear()
  t.equal(ledger.pendingMessages, 0, 'a rebalance forgets every partition')
  t.equal(ledger.rewind('a', 0), undefined, 'nothing pending: nothing to rewind')
})

t.test('after a rewind, a batch prefetched from the old position is refused until the re-read one arrives', async (t) => {
  const ledger = new HandOverLedger()
  ledger.add('a', 0, 0, batch(0, 39, [{ id: 'j1', offsets: [0] }]))
  ledger.add('a', 0, 0, batch(40, 79, [{ id: 'j2', offsets: [40] }]))
  t.equal(ledger.rewind('a', 0), '0')
  const generation = ledger.generation('a', 0)
  t.notOk(ledger.add('a', 0, generation, batch(80, 119, [{ id: 'j3', offsets: [80] }])), 'stale: fetched before the seek')
  t.ok(ledger.add('a', 0, generation, batch(0, 39, [{ id: 'j1', offsets: [0] }])), 'the batch read again from the rewind offset')
  t.ok(ledger.add('a', 0, generation, batch(40, 79, [{ id: 'j2', offsets: [40] }])), 'then the stream goes on')
  const [commit] = ledger.plan(
    new Map([
      ['j1', []],
      ['j2', []],
    ]),
    new Date(),
  )
  t.match(commit, { offset: '80', batches: 2 }, 'the commit covers the re-read window, never past it')
})

t.test('dead letters below the committed offset were sent already', async (t) => {
  const letters = [5, 9, 12].map((offset) => ({ value: null, headers: { 'x-source-offset': String(offset) } }))
  t.same(
    deadLettersFrom(letters, 9n).map((l) => l.headers?.['x-source-offset']),
    ['9', '12'],
  )
})
