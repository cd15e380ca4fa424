/** The pure parts of a rebuild's progress and its report. */
import t from 'tap'
import type { SetComparison } from '@event-analytics/db'
import { rebuildNames, pipelineEnvironment } from '../src/naming.js'
import { RateEstimator, duration, progressLine, progressOf } from '../src/progress.js'
import { formatComparison } from '../src/report.js'
import { retentionLines } from '../src/retention.js'

t.test('progress per partition: done from the earliest retained offset, lag to the end', async (t) => {
  const progress = progressOf([
    { topic: 'a', partition: 0, low: 0, high: 100, committed: 40 },
    { topic: 'a', partition: 1, low: 30, high: 50, committed: -1 },
    { topic: 'b', partition: 0, low: 10, high: 10, committed: 10 },
  ])
  t.same(
    progress.partitions.map((p) => [p.done, p.lag]),
    [
      [40, 60],
      [0, 20],
      [0, 0],
    ],
  )
  t.same([progress.done, progress.lag, progress.total], [40, 80, 120])
  t.same(
    progress.truncated.map((p) => `${p.topic}[${p.partition}]`),
    ['a[1]', 'b[0]'],
    'partitions whose start retention deleted',
  )
})

t.test('rate and time left over a sliding window', async (t) => {
  const estimator = new RateEstimator(10_000)
  t.equal(estimator.rate(), undefined)
  t.equal(estimator.etaSeconds(100), undefined, 'unknown before two samples')
  estimator.add(0, 0)
  estimator.add(1000, 500)
  t.equal(estimator.rate(), 500)
  t.equal(estimator.etaSeconds(1000), 2)
  estimator.add(20_000, 500)
  estimator.add(21_000, 500)
  t.equal(estimator.rate(), 0, 'the window forgot the fast start')
  t.equal(estimator.etaSeconds(1000), undefined, 'not moving: no estimate')
  t.equal(estimator.etaSeconds(0), 0)
})

t.test('the progress line', async (t) => {
  const progress = progressOf([{ topic: 'a', partition: 0, low: 0, high: 2000, committed: 500 }])
  t.equal(progressLine(progress, 250, 6, 10), '[###-------]  25.0 %  500 / 2,000  lag 1,500  250 msg/s  ETA 6 s')
  t.equal(duration(3725), '1 h 2 min')
  t.equal(duration(95), '1 min 35 s')
})

t.test('retention is said plainly', async (t) => {
  const complete = retentionLines(
    [{ topic: 'a', retentionMs: 604_800_000, retentionBytes: -1 }],
    progressOf([{ topic: 'a', partition: 0, low: 0, high: 5, committed: -1 }]),
  )
  t.match(complete.join('\n'), /a: messages kept 168 h 0 min/)
  t.match(complete.join('\n'), /the whole log is there/)
  const truncated = retentionLines(
    [{ topic: 'a', retentionMs: -1, retentionBytes: 1000 }],
    progressOf([{ topic: 'a', partition: 2, low: 7, high: 9, committed: -1 }]),
  )
  t.match(truncated.join('\n'), /kept forever, at most 1,000 bytes per partition/)
  t.match(truncated.join('\n'), /WARNING.*\n.*\n\s+a\[2\]: offsets 0 to 6 are gone/)
})

t.test('a rebuild is named after the live pipeline and its set', async (t) => {
  const live = {
    groupId: 'analytics-ingest',
    queuePrefix: 'bull',
    deadLetterTopic: 'analytics.dlq',
    transactionalId: 'analytics-ingest-host',
  }
  t.same(pipelineEnvironment(rebuildNames('rebuild_x', live)), {
    PROJECTION_SET: 'rebuild_x',
    KAFKA_GROUP_ID: 'analytics-ingest.rebuild_x',
    BULLMQ_PREFIX: 'bull-rebuild_x',
    TOPIC_DEAD_LETTER: 'analytics.dlq.rebuild',
    KAFKA_TRANSACTIONAL_ID: 'analytics-ingest-host-rebuild_x',
  })
  t.equal(rebuildNames('rebuild_x', live, 'live').deadLetterTopic, 'analytics.dlq', 'the live dead-letter topic only when asked')
})

t.test('the comparison report names every differing event and figure', async (t) => {
  const report: SetComparison = {
    before: 'public',
    after: 'rebuild_x',
    comparedAt: new Date('2026-12-07T03:00:00Z'),
    eventsBefore: 3,
    eventsAfter: 3,
    lastCommitBefore: null,
    lastCommitAfter: null,
    unfoldedBefore: 0,
    unfoldedAfter: 2,
    differences: [
      {
        eventId: 'evt-1',
        userId: 'owner-1',
        kind: 'changed',
        fields: [
          { field: 'participants', before: '12', after: '7' },
          { field: 'roi', before: '10.00', after: '-5.00' },
        ],
      },
      { eventId: 'evt-2', userId: null, kind: 'missing', fields: [] },
    ],
  }
  const text = formatComparison(report)
  t.match(text, /3 live, 3 rebuilt; 2 differ \(1 changed, 1 only live, 0 only rebuilt\)/)
  t.ok(
    text.includes('event evt-1 (owner owner-1): figures differ\n  participants  12 -> 7\n  roi           10.00 -> -5.00'),
    'each differing figure on a line of its own, before -> after',
  )
  t.match(text, /event evt-2 \(owner unknown\): only in the live set/)
  t.match(text, /Registrations not folded yet: 0 batches live, 2 rebuilt/)
  t.match(formatComparison(report, { maxEvents: 1 }), /and 1 more events/)
  t.match(formatComparison({ ...report, differences: [] }), /No event differs/)
})
