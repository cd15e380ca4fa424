import t from 'tap'
import { renderFanoutSection, spliceFanoutSection } from '../src/fanout-report.js'
import { loadBenchConfig, settingsOf } from '../src/config.js'
import {
  BEGIN_MARKER,
  END_MARKER,
  drainRate,
  evaluateTarget,
  evaluateTargets,
  parseCpuModel,
  parseProcStatus,
  percentile,
  renderConsoleTable,
  renderSection,
  spliceSection,
  summarize,
  TARGETS,
  type BenchResults,
  type CapacityStep,
} from '../src/index.js'

t.test('percentile is nearest-rank', async (t) => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1)
  t.equal(percentile(sorted, 50), 50)
  t.equal(percentile(sorted, 99), 99)
  t.equal(percentile(sorted, 100), 100)
  t.equal(percentile([7], 99), 7)
  t.ok(Number.isNaN(percentile([], 50)))
  const summary = summarize([5, 1, 3, 2, 4])
  t.same(
    { count: summary.count, min: summary.min, p50: summary.p50, max: summary.max, mean: summary.mean },
    { count: 5, min: 1, p50: 3, max: 5, mean: 3 },
  )
})

t.test('drain rate excludes start-up before the first progress', async (t) => {
  const rate = drainRate(
    [
      { atMs: 0, done: 0 },
      { atMs: 5000, done: 100 },
      { atMs: 6000, done: 600 },
      { atMs: 7000, done: 1100 },
    ],
    1100,
  )
  t.equal(rate, 500)
  t.ok(
    Number.isNaN(
      drainRate(
        [
          { atMs: 0, done: 0 },
          { atMs: 10, done: 5 },
        ],
        10,
      ),
    ),
    'never finished',
  )
})

t.test('targets: pass, miss with the gap, not measured', async (t) => {
  const ratio = TARGETS.find((x) => x.id === 'e2eVsRaw')!
  t.equal(evaluateTarget(ratio, 0.5).verdict, 'pass')
  const short = evaluateTarget(ratio, 0.4)
  t.equal(short.verdict, 'miss')
  t.equal(short.missBy, 'short by 0.10 x (20%)')
  const p99 = TARGETS.find((x) => x.id === 'timelineP99')!
  t.equal(evaluateTarget(p99, 49.9).verdict, 'pass')
  t.equal(evaluateTarget(p99, 50).verdict, 'miss', 'the bound is strict')
  t.equal(evaluateTarget(p99, 75).missBy, 'over by 25.00 ms (50%)')
  t.equal(evaluateTarget(p99, Number.NaN).verdict, 'not measured')
  const rate = TARGETS.find((x) => x.id === 'sustainedRate')!
  t.equal(evaluateTarget(rate, 20_000).verdict, 'pass', 'the rate target is inclusive')
  t.equal(evaluateTarget(rate, 0).missBy, 'short by 20000 events/s (100%)', 'no step passed is a full miss, not "not measured"')
  const all = evaluateTargets({ rssIngest: 150 })
  t.equal(all.length, TARGETS.length)
  t.equal(all.find((r) => r.target.id === 'rssIngest')?.verdict, 'pass')
  t.equal(all.find((r) => r.target.id === 'freshnessP99')?.verdict, 'not measured')
})

t.test('proc status and cpuinfo parsing', async (t) => {
  t.same(parseProcStatus('Name:\tnode\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n'), { vmRssKb: 100000, vmHwmKb: 123456 })
  t.equal(parseProcStatus('Name:\tnode\n'), null)
  t.equal(parseCpuModel('processor\t: 0\nmodel name\t: AMD EPYC 7B13\n'), 'AMD EPYC 7B13')
  t.equal(parseCpuModel(''), 'unknown')
})

const latency = { count: 3, min: 1, p50: 2, p99: 3, max: 3, mean: 2 }
const step = (n: number, rate: number, kept: boolean): CapacityStep => ({
  step: n,
  search: true,
  passed: kept,
  targetRate: rate,
  achievedRate: rate * 0.99,
  seconds: 30,
  sustained: kept,
  backlogAtEnd: kept ? 10 : 9000,
  catchUpMs: kept ? 200 : 2500,
  latencyMs: latency,
})
const results: BenchResults = {
  command: 'pnpm bench',
  startedAt: '2025-01-01T00:00:00.000Z',
  durationSeconds: 300,
  machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 8, node: 'v20.0.0', platform: 'linux' },
  settings: { BENCH_MESSAGES: 1000 },
  fanout: null,
  throughput: {
    messages: 1000,
    produceRate: 9000,
    rawConsumeRate: 20000,
    endToEndRate: 8000,
    naiveMessages: 100,
    naiveRate: 400,
    pipeline: {
      drainSeconds: 2,
      foldSecondsAfterDrain: 0.4,
      aggregatorBatches: 4,
      aggregatorMessagesPerBatch: 250,
      aggregatorTransactionSeconds: 1.5,
      ingestJobs: 6,
    },
    scaleOut: {
      ingestWorkers: 2,
      aggregators: 2,
      endToEndRate: 12_000,
      pipeline: {
        drainSeconds: 1.5,
        foldSecondsAfterDrain: null,
        aggregatorBatches: 6,
        aggregatorMessagesPerBatch: 166,
        aggregatorTransactionSeconds: 1.2,
        ingestJobs: 6,
      },
    },
  },
  capacity: {
    ingestWorkers: 1,
    aggregators: 1,
    steps: [
      step(1, 5000, true),
      step(2, 10_000, true),
      { ...step(3, 20_000, false), latencyMs: { ...latency, p99: 1400 } },
      step(4, 15_000, true),
    ],
    fixedRows: [step(1, 5000, true), step(2, 10_000, true), { ...step(3, 20_000, false), latencyMs: { ...latency, p99: 1400 } }],
    sustainedRate: 15_000,
    firstFailedRate: 20_000,
    stoppedBy: 'max steps',
    resolutionPercent: 10,
    stepSeconds: 15,
    fixedSeconds: 30,
    durationSeconds: 150,
  },
  capacityScaleOut: null,
  api: {
    connections: 16,
    seconds: 8,
    timelineRows: 8760,
    timelineBuckets: 365,
    timelineMs: latency,
    timelineSqlMs: latency,
    dashboard: { requestsPerSec: 7000, p50Ms: 2, p99Ms: 5, errors: 0, non2xx: 0, cpuMicrosPerRequest: 90 },
    bare: { requestsPerSec: 10000, p50Ms: 1, p99Ms: 3, errors: 0, non2xx: 0, cpuMicrosPerRequest: 50.25 },
  },
  memory: {
    'query-api': { peakMb: 120.5, phases: ['api'], peakMbByPhase: { api: 120.5 } },
    'ingest-worker': { peakMb: 210.25, phases: ['throughput', 'freshness'], peakMbByPhase: { throughput: 180, freshness: 210.25 } },
  },
  targets: evaluateTargets({ e2eVsRaw: 0.4, timelineP99: 3, sustainedRate: 15_000 }),
  failures: [],
}

t.test('report renders every section and the target verdicts', async (t) => {
  const section = renderSection(results)
  t.ok(section.startsWith(BEGIN_MARKER) && section.endsWith(END_MARKER))
  t.match(section, /2 CPUs \(Test CPU\)/)
  t.match(section, /shared .* noisy/)
  t.match(section, /\| end-to-end \/ raw consume rate \| >= 0\.5 x \| 0\.40 x \| \*\*miss\*\* \(short by 0\.10 x \(20%\)\) \|/)
  t.match(section, /\| uncached 1-year daily timeline p99 \| < 50 ms \| 3\.00 ms \| pass \|/)
  t.match(section, /\| bare Fastify, fixed JSON \| 10,000 \| [^|]+\| [^|]+\| 50\.3 \| 0 \|/, 'CPU per request beside the rate')
  t.match(section, /20\.00x faster/)
  t.match(section, /inside batch transactions; the returning-participants fold emptied its log 0\.4 s after the last message was visible\./)
  t.match(section, /\(summed over the aggregators\)\./, 'not waited for: nothing said')
  t.match(section, /query-api \| 120\.5 MB \| \*\*api 120\.5\*\* \|/)
  t.match(section, /ingest-worker \| 210\.3 MB \| throughput 180\.0, \*\*freshness 210\.3\*\* \|/, 'each phase, the peak one in bold')
  t.match(
    section,
    /\| sustained rate with freshness p99 < 1 s \| >= 20000 events\/s \| 15000 events\/s \| \*\*miss\*\* \(short by 5000 events\/s \(25%\)\) \|/,
  )
  t.match(section, /\| end-to-end, 2 ingest workers \+ 2 aggregators \(one group, one queue\) \| 1,000 \| 12,000 \| 1\.50x of 1\+1 \|/)
  t.match(
    section,
    /1 ingest worker \+ 1 aggregator: \*\*15,000 events\/s\*\* sustained with p99 < 1 s; 20,000 events\/s failed\. The search stopped on: max steps/,
  )
  t.match(
    section,
    /\| 3 \| 20,000 \| 19,800 \| no \(backlog 9,000 at stop, drained in 2500\.0 ms\) \| 3 \| 2\.0 ms \| 1400\.0 ms \| fail: backlog not drained within 1 s \|/,
  )
  t.match(section, /\| 4 \| 15,000 \| 14,850 \| yes \| 3 \| 2\.0 ms \| 3\.0 ms \| pass \|/)
  t.match(
    section,
    /Fixed rates \(30 s each[^\n]*\n\n\| target events\/s[^\n]*\n[^\n]*\n\| 5,000 \|[^\n]*\n\| 10,000 \|[^\n]*\n\| 20,000 \| 19,800 \| no \| 3 \| 2\.0 ms \| 1400\.0 ms \| 3\.0 ms \|/,
  )
  const table = renderConsoleTable(results.targets)
  t.match(table, /MISS short by 0\.10 x/)
  t.match(table, /NOT MEASURED/)
})

t.test('a search where no step passed says so, and the rate target is a full miss', async (t) => {
  const capacity = results.capacity!
  const failed = { ...capacity, steps: [step(1, 5000, false)], sustainedRate: 0, firstFailedRate: 5000 }
  const section = renderSection({ ...results, capacity: failed, targets: evaluateTargets({ sustainedRate: 0 }) })
  t.match(section, /1 ingest worker \+ 1 aggregator: no step passed \(the lowest rate tried was 5,000 events\/s\)\./)
  t.match(section, /\| sustained rate with freshness p99 < 1 s \| >= 20000 events\/s \| 0\.00 events\/s \| \*\*miss\*\*/)
  t.match(section, /bisects between the last pass and the first fail to 10 %/)
  t.notMatch(renderSection({ ...results, capacity: null }), /fixed rate/, 'a failed phase renders no table')
})

t.test('splice replaces only the generated section', async (t) => {
  const section = `${BEGIN_MARKER}\nnew\n${END_MARKER}`
  const doc = `# Benchmarks\n\nintro\n\n${BEGIN_MARKER}\nold\n${END_MARKER}\n\n## Analysis\nkept\n`
  t.equal(spliceSection(doc, section), `# Benchmarks\n\nintro\n\n${section}\n\n## Analysis\nkept\n`)
  t.equal(spliceSection('# Benchmarks\n', section), `# Benchmarks\n\n${section}\n`)
})

t.test('the fan-out section is spliced apart from the main one, and replaced in place', async (t) => {
  const fanout = {
    clients: 1000,
    targetRate: 5000,
    achievedRate: 4990,
    seconds: 20,
    probes: 40,
    missed: 0,
    commitToClientMs: latency,
    commitToLastClientMs: { ...latency, p99: 1200 },
    produceToLastClientMs: latency,
    apiPeakMb: 150,
  }
  const section = renderFanoutSection(fanout, results.machine, results.startedAt)
  t.match(section, /commit -> every stream client p99 \| < 1000 ms \| 1200 ms \| \*\*miss\*\*/)
  t.match(section, /query-api peak RSS with the streams open \| < 200 MB \| 150 MB \| pass/)
  const document = '# Benchmarks\n\n<!-- bench:begin x -->\nmain\n<!-- bench:end -->\n\n## Notes\n'
  const once = spliceFanoutSection(document, section)
  t.match(once, /<!-- bench:end -->\n\n<!-- bench:fanout:begin/)
  t.match(once, /## Notes/)
  t.equal(spliceFanoutSection(once, section), once, 'a second run replaces the section')
})

t.test('figures taken under a profiler or extra V8 options record it next to them', async (t) => {
  const plain = settingsOf(loadBenchConfig({}))
  t.notOk('BENCH_HEAP_PROFILE_DIR' in plain || 'BENCH_CPU_PROFILE_DIR' in plain || 'BENCH_NODE_OPTIONS' in plain, 'none by default')
  const profiled = settingsOf(loadBenchConfig({ BENCH_HEAP_PROFILE_DIR: '/tmp/heap', BENCH_CPU_PROFILE_DIR: '/tmp/cpu' }))
  t.equal(profiled['BENCH_HEAP_PROFILE_DIR'], '/tmp/heap')
  t.equal(profiled['BENCH_CPU_PROFILE_DIR'], '/tmp/cpu')
  t.equal(profiled['BENCH_HEAP_PROFILE_KEEP'], 'all', 'what the heap profile keeps, by default')
  const promoted = settingsOf(loadBenchConfig({ BENCH_HEAP_PROFILE_DIR: '/tmp/heap', BENCH_HEAP_PROFILE_KEEP: 'promoted' }))
  t.equal(promoted['BENCH_HEAP_PROFILE_KEEP'], 'promoted')
  t.notOk('BENCH_HEAP_PROFILE_KEEP' in settingsOf(loadBenchConfig({ BENCH_HEAP_PROFILE_KEEP: 'promoted' })), 'not without a profile')
  t.throws(() => loadBenchConfig({ BENCH_HEAP_PROFILE_DIR: 'relative/dir' }), /absolute/, 'a relative heap profile folder is refused')
  t.throws(() => loadBenchConfig({ BENCH_HEAP_PROFILE_KEEP: 'survivors' }), /BENCH_HEAP_PROFILE_KEEP/, 'an unknown keep is refused by name')
})
