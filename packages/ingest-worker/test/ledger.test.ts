/** The hand-over ledger's bookkeeping, without a broker: what may be committed, and what is refused. */
import t from 'tap'
import type { KafkaMessage } from 'kafkajs'
import { retainedBytes } from '../src/dead-letter.js'
import { HandOverLedger, deadLettersFrom, type PendingBatch } from '../src/ledger.js'
import { RetainedMessages } from '../src/retained-messages.js'

const message = (offset: number): KafkaMessage => ({
  offset: String(offset),
  key: Buffer.from('k'),
  value: Buffer.from(`v${offset}`),
  timestamp: '0',
  attributes: 0,
  headers: {},
})

/** Built as the consumer builds it: only the messages its jobs carry are retained. */
function batch(first: number, last: number, jobs: { id: string; offsets: number[] }[], badOffsets: number[] = []): PendingBatch {
  const carried = new Set(jobs.flatMap((job) => job.offsets))
  const messages = Array.from({ length: last - first + 1 }, (_, index) => message(first + index))
  return {
    firstOffset: String(first),
    lastOffset: String(last),
    messageCount: messages.length,
    retained: RetainedMessages.of(messages.filter((m) => carried.has(Number(m.offset)))),
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
  t.notOk(ledger.add('a', 0, generation, batch(5, 9, [{ id: 'j2', offsets: [5] }])).added, 'a batch planned before the rewind is refused')
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
  t.notOk(ledger.add('a', 0, generation, batch(80, 119, [{ id: 'j3', offsets: [80] }])).added, 'stale: fetched before the seek')
  t.same(
    ledger.add('a', 0, generation, batch(0, 39, [{ id: 'j1', offsets: [0] }])),
    { added: true },
    'the batch read again from the rewind offset',
  )
  t.same(ledger.add('a', 0, generation, batch(40, 79, [{ id: 'j2', offsets: [40] }])), { added: true }, 'then the stream goes on')
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

t.test('offsets going backwards inside the pending window: a new incarnation, the old window settles on its own', async (t) => {
  const ledger = new HandOverLedger()
  ledger.add('a', 0, 0, batch(0, 9, [{ id: 'old-1', offsets: [0] }], [3]))
  ledger.add('a', 0, 0, batch(10, 19, [{ id: 'old-2', offsets: [10] }]))
  const result = ledger.add('a', 0, 0, batch(0, 4, [{ id: 'new-1', offsets: [0] }], [1]))
  t.same(result, { added: true, regression: { topic: 'a', partition: 0, expectedFrom: '20', firstOffset: '0', formerBatches: 2 } })
  t.equal(ledger.pendingMessages, 25, 'the former window still counts as uncommitted')
  t.same(ledger.pendingJobIds().sort(), ['new-1', 'old-1', 'old-2'])

  const onlyNew = ledger.plan(new Map([['new-1', []]]), new Date())
  t.match(onlyNew, [{ offset: '5', batches: 1, formerBatches: [] }], 'the new incarnation commits from its own offsets')
  t.same(
    onlyNew[0]?.deadLetters.map((letter) => letter.headers?.['x-source-offset']),
    ['1'],
  )
  ledger.release(onlyNew[0]!)

  const settledOld = new Map([
    ['old-1', [{ offset: '0', messageId: 'm-0', reason: 'refused' }]],
    ['old-2', []],
  ])
  const [former] = ledger.plan(settledOld, new Date())
  t.equal(former?.offset, undefined, 'former batches commit no offset: theirs name nothing now')
  t.equal(former?.formerBatches.length, 2)
  t.same(
    former?.formerDeadLetters.map((letter) => [letter.headers?.['x-source-offset'], letter.headers?.['x-error-code']]),
    [
      ['0', 'APPLY_FAILED'],
      ['3', 'INVALID_FIELD'],
    ],
    'their dead letters go out once their jobs settle, refused messages included',
  )
  ledger.release(former!)
  t.equal(ledger.pendingMessages, 0)
  t.same(ledger.plan(settledOld, new Date()), [], 'and only once')
})

t.test('a batch below the committed offset (learnt from a previous run, or committed here) is a new incarnation', async (t) => {
  const ledger = new HandOverLedger()
  t.ok(ledger.needsCommittedOffset('a', 0))
  ledger.learnCommittedOffset('a', 0, '40')
  t.notOk(ledger.needsCommittedOffset('a', 0))
  t.same(ledger.add('a', 0, 0, batch(40, 49, [{ id: 'j1', offsets: [40] }])), { added: true }, 'resuming at the committed offset')
  const [commit] = ledger.plan(new Map([['j1', []]]), new Date())
  ledger.release(commit!)
  t.match(ledger.add('a', 0, ledger.generation('a', 0), batch(2, 5, [{ id: 'j2', offsets: [2] }])), {
    added: true,
    regression: { expectedFrom: '50', firstOffset: '2', formerBatches: 0 },
  })
  t.same(ledger.add('a', 0, ledger.generation('a', 0), batch(6, 9, [])), { added: true }, 'then the new incarnation goes on')
})

t.test('a rebalance keeps former batches: no one can read them again', async (t) => {
  const ledger = new HandOverLedger()
  ledger.add('a', 0, 0, batch(0, 9, [{ id: 'old', offsets: [0] }]))
  ledger.add('a', 0, 0, batch(0, 1, [{ id: 'new', offsets: [0] }]))
  ledger.clear()
  t.equal(ledger.pendingMessages, 10)
  t.same(ledger.formerJobIds(new Map()), ['old'])
  const lost = ledger.abandonLostFormer(new Map(), new Set())
  t.equal(lost.length, 1, 'a former job Redis lost is given up, and named')
  t.equal(ledger.pendingMessages, 0)
})

t.test('a committed offset that vanished (topic recreated): read again from the start, stale fetches refused', async (t) => {
  const ledger = new HandOverLedger()
  ledger.add('a', 0, 0, batch(0, 59, [{ id: 'old', offsets: [0] }]))
  const [commit] = ledger.plan(new Map([['old', []]]), new Date())
  ledger.release(commit!)
  t.same(ledger.knownCommittedOffsets(), [{ topic: 'a', partition: 0, offset: 60n }])
  ledger.add('a', 0, 0, batch(60, 61, [{ id: 'past-the-gap', offsets: [60] }]))
  ledger.restartIncarnation('a', 0, 0n)
  t.equal(ledger.pendingMessages, 0, 'the window is read again from the seek')
  t.same(ledger.knownCommittedOffsets(), [], 'the committed offset is forgotten')
  const generation = ledger.generation('a', 0)
  t.same(ledger.add('a', 0, generation, batch(62, 63, [])), { added: false }, 'fetched from the old position before the seek')
  t.same(ledger.add('a', 0, generation, batch(0, 9, [{ id: 'new', offsets: [0] }])), { added: true }, 'the new incarnation from its start')
  t.same(ledger.add('a', 0, generation, batch(10, 70, [])), { added: true }, 'then on as usual')
})

t.test(
  "a fresh cluster read from its start before the restart took effect: the seek's read replaces it, its letters go out once",
  async (t) => {
    const ledger = new HandOverLedger()
    ledger.add('a', 0, 0, batch(0, 59, [{ id: 'old', offsets: [0] }]))
    ledger.release(ledger.plan(new Map([['old', []]]), new Date())[0]!)
    ledger.restartIncarnation('a', 0, 0n)
    const generation = ledger.generation('a', 0)
    const prefetched = batch(0, 9, [{ id: 'fresh', offsets: [0, 1] }], [2])
    t.same(ledger.add('a', 0, generation, prefetched), { added: true }, 'fetched from the new start before the seek took effect')
    const reread = batch(0, 9, [{ id: 'fresh', offsets: [0, 1] }], [2])
    t.same(ledger.add('a', 0, generation, reread), { added: true }, "the seek's read of the same offsets: no regression reported")
    t.equal(ledger.pendingMessages, reread.messageCount, 'only one copy of the window is held')
    const [commit] = ledger.plan(new Map([['fresh', []]]), new Date())
    t.same(commit?.formerDeadLetters, [], 'nothing is taken for a former incarnation')
    t.equal(commit?.deadLetters.length, 1, 'the bad message is dead-lettered once')
    t.equal(commit?.offset, '10')
  },
)

t.test('after the restart has been read, a batch below the window is a new incarnation again', async (t) => {
  const ledger = new HandOverLedger()
  ledger.restartIncarnation('a', 0, 0n)
  const generation = ledger.generation('a', 0)
  t.same(ledger.add('a', 0, generation, batch(0, 9, [])), { added: true })
  t.same(ledger.add('a', 0, generation, batch(10, 19, [])), { added: true })
  const regressed = ledger.add('a', 0, generation, batch(5, 6, []))
  t.ok(regressed.added && regressed.regression !== undefined, 'offsets inside the window that do not start at the seek: a regression')
})

t.test('pending bytes: what the held batches keep for dead letters, counted in and out like the messages', async (t) => {
  const ledger = new HandOverLedger()
  const first = batch(0, 9, [{ id: 'j1', offsets: [0, 1, 2] }], [3])
  const second = batch(10, 19, [{ id: 'j2', offsets: [10] }])
  const bytesOf = (held: PendingBatch) => held.deadLetters.reduce((sum, letter) => sum + retainedBytes(letter), held.retained.bytes)
  t.equal(first.retained.count, 3, 'only the messages a job carries are kept, not the whole batch')
  const packed = 3 * ('k'.length + 'v0'.length) + 3 * 8 + 3 * 2 * 4
  const letter = 'bad3'.length + 'x-source-offset'.length + '3'.length + 'x-error-code'.length + 'INVALID_FIELD'.length
  t.equal(bytesOf(first), packed + letter, 'keys and values, their index, and the dead letters')
  ledger.add('a', 0, 0, first)
  ledger.add('a', 0, 0, second)
  t.equal(ledger.pendingBytes, bytesOf(first) + bytesOf(second))
  const [commit] = ledger.plan(new Map([['j1', []]]), new Date())
  ledger.release(commit!)
  t.equal(ledger.pendingBytes, bytesOf(second), 'released with its commit')
  ledger.add('a', 1, 0, batch(0, 4, [{ id: 'j3', offsets: [0, 1] }]))
  ledger.rewind('a', 1)
  t.equal(ledger.pendingBytes, bytesOf(second), 'a rewound window is forgotten')
  const renewed = batch(0, 1, [{ id: 'new', offsets: [0] }])
  ledger.add('a', 0, 0, renewed)
  t.equal(ledger.pendingBytes, bytesOf(second) + bytesOf(renewed), 'a new incarnation: the former batch stays held')
  ledger.clear()
  t.equal(ledger.pendingBytes, bytesOf(second), 'a rebalance forgets the current windows, not the former batches')
  t.equal(ledger.pendingMessages, 10)
  ledger.abandonLostFormer(new Map(), new Set())
  t.equal(ledger.pendingBytes, 0)
  t.equal(ledger.pendingMessages, 0)
})

t.test('retained messages are copies: they keep no view into the fetch response they came in', async (t) => {
  const response = Buffer.from('....key-value-header....')
  const consumed: KafkaMessage[] = [
    { offset: '7', key: response.subarray(4, 7), value: response.subarray(8, 13), timestamp: '0', attributes: 0, headers: {} },
    {
      offset: '9',
      key: null,
      value: Buffer.alloc(0),
      timestamp: '0',
      attributes: 0,
      headers: { trace: response.subarray(14, 20), list: [response.subarray(14, 16), 'text'] },
    },
    { offset: '12', key: response.subarray(0, 0), value: null, timestamp: '0', attributes: 0, headers: {} },
  ]
  const retained = RetainedMessages.of(consumed)
  response.fill(0)
  t.same(retained.find('7'), { offset: '7', key: Buffer.from('key'), value: Buffer.from('value') }, 'survives the response buffer')
  t.same(retained.find('9'), {
    offset: '9',
    key: null,
    value: Buffer.alloc(0),
    headers: { trace: Buffer.from('header'), list: [Buffer.from('he'), 'text'] },
  })
  t.same(retained.find('12'), { offset: '12', key: Buffer.alloc(0), value: null }, 'an empty key is not a null one')
  t.equal(retained.find('8'), undefined, 'an offset not kept')
  t.equal(retained.find('13'), undefined)
  t.equal(retained.count, 3)
  t.equal(retained.bytes, 3 + 5 + 3 * 8 + 3 * 2 * 4 + 'trace'.length + 6 + 'list'.length + 2 + 4)
})
