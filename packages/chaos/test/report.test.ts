import t from 'tap'
import { counterBook } from '../src/metrics.js'
import { availabilityProblems } from '../src/phases.js'
import { failingChecks, summarise } from '../src/probe.js'
import { SECTION_END, SECTION_START, renderReport, spliceSection, type ChaosReport } from '../src/summary.js'

const metrics = `# HELP aggregator_messages_applied_total x
# TYPE aggregator_messages_applied_total counter
aggregator_messages_applied_total 120
aggregator_duplicates_dropped_total{kind="a"} 3
aggregator_duplicates_dropped_total{kind="b"} 4
aggregator_messages_applied_totalx 99
`

t.test('Prometheus counters summed over labels and over processes', async (t) => {
  const book = counterBook(['aggregator_messages_applied_total', 'aggregator_duplicates_dropped_total'])
  book.record(1, 'aggregator_messages_applied_total 10')
  book.record(1, 'aggregator_messages_applied_total 15')
  book.record(2, 'aggregator_messages_applied_total 5')
  t.equal(book.total('aggregator_messages_applied_total'), 20, 'last value per pid, summed')
  book.record(3, metrics)
  t.equal(book.total('aggregator_messages_applied_total'), 140, 'the exact name only')
  t.equal(book.total('aggregator_duplicates_dropped_total'), 7, 'summed over label sets')
})

t.test('readiness reports and availability rules', async (t) => {
  t.same(failingChecks('{"ready":false,"checks":{"redis":{"ok":false},"postgres":{"ok":true}}}'), ['redis'])
  t.same(failingChecks('not json'), [])
  const samples = [
    { target: 'api-ready', outcome: 503, ms: 10, failing: ['redis'] },
    { target: 'api-dashboard', outcome: 200, ms: 5, cache: 'hit' },
    { target: 'api-dashboard', outcome: 'timeout' as const, ms: 5000 },
    { target: 'ingest-ready', outcome: 503, ms: 3, failing: [] },
    { target: 'aggregator-ready', outcome: 500, ms: 3 },
  ]
  const problems = availabilityProblems(samples, { 'api-ready': 'redis', 'ingest-ready': 'kafka' })
  t.match(problems.join('\n'), /client timeouts \(hangs\): api-dashboard x1/)
  t.match(problems.join('\n'), /5xx other than 503: aggregator-ready 500/)
  t.match(problems.join('\n'), /without naming a dependency \(ingest-ready\)/)
  t.match(problems.join('\n'), /ingest-ready never named kafka/)
  t.notMatch(problems.join('\n'), /api-ready never named/)
  t.same(
    summarise(samples).find((s) => s.target === 'api-dashboard'),
    { target: 'api-dashboard', samples: 2, outcomes: { 200: 1, timeout: 1 }, maxMs: 5000, named: [], cacheHits: 1 },
  )
})

const report: ChaosReport = {
  startedAt: '2026-01-01T00:00:00.000Z',
  seconds: 100,
  truth: { sent: 10, unique: 9, duplicates: 1 },
  unexpectedExits: [],
  phases: [
    {
      name: 'SIGKILL x',
      injected: 3,
      produced: 10,
      bad: 8,
      applied: 9,
      duplicatesDropped: 1,
      deadLettered: 8,
      problems: [],
      availability: [],
      seconds: 20,
    },
  ],
  fuzz: { sent: 100, serverErrors: 0, timeouts: 0, contractViolations: 0, byClass: { '4xx': 90, '2xx': 10 } },
}

t.test('the summary names every figure and the verdict', async (t) => {
  const text = renderReport(report)
  t.match(text, /\*\*PASS\*\*/)
  t.match(text, /\| SIGKILL x \| 3 \| 10 \| 8 \| 9 \| 1 \| 8 \| equal to ground truth/)
  t.match(text, /100 requests sent, \*\*0 5xx\*\*/)
  const failed = renderReport({ ...report, fuzz: { ...report.fuzz!, serverErrors: 1 } })
  t.match(failed, /\*\*FAIL\*\*/)
  const echoing = renderReport({ ...report, fuzz: { ...report.fuzz!, contractViolations: 1 } })
  t.match(echoing, /\*\*FAIL\*\*/, 'an error outside the error contract fails the run')
  t.match(echoing, /\*\*1 errors not problem\+json or echoing the request\*\*/)
})

t.test('only the marked section of BENCHMARKS.md is replaced', async (t) => {
  const created = spliceSection('', 'first')
  t.match(created, /^# Benchmarks\n\n<!-- chaos:start/)
  const other = `# Benchmarks\n\nsomeone else's numbers\n\n${created.slice(created.indexOf(SECTION_START))}\n## Later section\nkept\n`
  const updated = spliceSection(other, 'second')
  t.match(updated, /someone else's numbers/)
  t.match(updated, /## Later section\nkept/)
  t.match(updated, /second/)
  t.notMatch(updated, /first/)
  t.equal(updated.split(SECTION_START).length, 2, 'one section')
  t.equal(updated.split(SECTION_END).length, 2)
})
