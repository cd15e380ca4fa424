import t from 'tap'
import {
  cpuRows,
  evaluateTarget,
  median,
  parseProcStat,
  parseRedisProcessId,
  pipelineCpu,
  renderCpuSection,
  sharedCpu,
  TARGETS,
  type BenchResults,
  type ClaimFloorResult,
  type CpuTrack,
  type PipelineCpu,
} from '../src/index.js'

/** A /proc/<pid>/stat line as the kernel writes it: utime 1234, stime 56, starttime 98765. */
const statLine = (comm: string): string =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1500 0 0 0 1234 56 7 8 20 0 11 0 98765 1000000 5000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0`

t.test('parseProcStat reads utime + stime and the start time, whatever the command name holds', async (t) => {
  t.same(parseProcStat(statLine('node')), { ticks: 1290, startTicks: 98765 })
  // PostgreSQL retitles its backends; a name may hold spaces and parentheses.
  t.same(parseProcStat(statLine('postgres: ea (x) idle')), { ticks: 1290, startTicks: 98765 })
  t.equal(parseProcStat(''), null)
  t.equal(parseProcStat('4242 (node) S 1 2'), null, 'too few fields')
  t.equal(parseProcStat(statLine('node').replace(' 1234 ', ' x ')), null, 'a non-number')
})

const track = (pid: number, role: string, first: number, last: number, vanished = false): CpuTrack => ({
  pid,
  role,
  startTicks: 1,
  firstTicks: first,
  lastTicks: last,
  vanished,
})

t.test('cpuRows sums CPU per role over the window and per event', async (t) => {
  const rows = cpuRows(
    [
      track(1, 'aggregator', 100, 300),
      track(2, 'postgres: aggregator', 0, 50),
      track(3, 'postgres: aggregator', 10, 40, true),
      track(4, 'ingest-worker', 500, 490),
    ],
    100,
    1000,
  )
  t.same(
    rows.map((row) => [row.role, row.processes, row.vanished, row.cpuMs, row.microsPerEvent]),
    [
      ['aggregator', 1, 0, 2000, 2000],
      ['postgres: aggregator', 2, 1, 800, 800],
      ['ingest-worker', 1, 0, 0, 0],
    ],
    '200 ticks at 100/s = 2 s = 2,000 µs per event over 1,000 events; a counter never goes back',
  )
  t.ok(Number.isNaN(cpuRows([track(1, 'a', 0, 1)], 100, 0)[0]?.microsPerEvent), 'no events: no rate')
})

t.test('sharedCpu takes the idle rate, scaled to the window, off the gross', async (t) => {
  const kafka = sharedCpu('kafka', 7, { grossMs: 500, idleMs: 60, idleSeconds: 3, windowSeconds: 10 }, 1000)
  t.equal(kafka.idleMsPerSecond, 20)
  t.equal(kafka.netMs, 300)
  t.equal(kafka.grossMicrosPerEvent, 500)
  t.equal(kafka.netMicrosPerEvent, 300)
  const busier = sharedCpu('redis', 8, { grossMs: 10, idleMs: 30, idleSeconds: 3, windowSeconds: 5 }, 1000)
  t.equal(busier.netMs, -40, 'others busier before than during: net goes below 0, shown as it is')
})

t.test('pipelineCpu totals the services, their backends and Redis/Kafka net; the bench probe is not counted', async (t) => {
  const rows = cpuRows(
    [
      track(1, 'ingest-worker', 0, 30),
      track(2, 'aggregator', 0, 20),
      track(3, 'postgres: aggregator', 0, 10),
      track(4, 'postgres: bench-probe', 0, 5),
      track(5, 'redis', 0, 4),
    ],
    100,
    1000,
  )
  const redis = sharedCpu('redis', 5, { grossMs: 40, idleMs: 3, idleSeconds: 3, windowSeconds: 10 }, 1000)
  const cpu = pipelineCpu({ events: 1000, windowSeconds: 10, clockTicksPerSecond: 100, backendsSeen: 2 }, rows, [redis])
  t.same(
    cpu.rows.map((row) => row.role),
    ['ingest-worker', 'aggregator', 'postgres: aggregator', 'postgres: bench-probe'],
    'redis only as a shared row',
  )
  t.equal(cpu.ownMicrosPerEvent, 300 + 200 + 100, 'services and their backends, not the bench probe')
  t.equal(cpu.totalMicrosPerEvent, 300 + 200 + 100 + 30)
  t.equal(cpu.grossTotalMicrosPerEvent, 300 + 200 + 100 + 40)
  t.equal(cpu.applyMicrosPerEvent, 300, 'aggregator + its backends')
})

t.test('median', async (t) => {
  t.equal(median([12, 9, 10]), 10)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.ok(Number.isNaN(median([])))
})

t.test('parseRedisProcessId', async (t) => {
  t.equal(parseRedisProcessId('# Server\r\nredis_version:7.0.15\r\nprocess_id:2244\r\ntcp_port:6379\r\n'), 2244)
  t.equal(parseRedisProcessId('# Server\r\nredis_version:7.0.15\r\n'), null)
})

t.test('the CPU targets: at most the bound, a miss says by how much', async (t) => {
  const ratio = TARGETS.find((x) => x.id === 'applyVsClaimFloor')!
  t.equal(evaluateTarget(ratio, 2).verdict, 'pass', 'exactly 2x is within "<= 2x"')
  const miss = evaluateTarget(ratio, 4.1)
  t.equal(miss.verdict, 'miss')
  t.equal(miss.missBy, 'over by 2.10 x (105%)')
  const total = TARGETS.find((x) => x.id === 'cpuPerEvent')!
  t.ok(total.threshold > 0, 'half of a first measurement')
  t.equal(evaluateTarget(total, total.threshold * 2).verdict, 'miss')
})

const floor: ClaimFloorResult = {
  messages: 1000,
  batchSize: 500,
  batchSource: 'end-to-end drain mean',
  batches: 2,
  rounds: 3,
  wallSeconds: 0.1,
  backendMicrosPerMessage: 10,
  roundsBackendMicrosPerMessage: [9, 10, 12],
  clientMicrosPerMessage: 8,
}

function resultsWith(cpu: PipelineCpu | null, claimFloor: ClaimFloorResult | null): BenchResults {
  const pipeline = {
    drainSeconds: 1,
    aggregatorBatches: 2,
    aggregatorMessagesPerBatch: 500,
    aggregatorTransactionSeconds: 1,
    ingestJobs: 4,
  }
  const throughput = {
    messages: 1000,
    produceRate: 1,
    rawConsumeRate: 1,
    endToEndRate: 1,
    naiveMessages: 1,
    naiveRate: 1,
    pipeline,
    cpu,
    scaleOut: null,
  }
  return {
    command: 'pnpm bench',
    startedAt: '2026-12-06T00:00:00.000Z',
    durationSeconds: 1,
    machine: { cpus: 2, cpuModel: 'x', memoryGiB: 1, node: 'v24', platform: 'linux' },
    settings: {},
    throughput,
    claimFloor,
    capacity: null,
    capacityScaleOut: null,
    api: null,
    fanout: null,
    memory: {},
    targets: [],
    failures: [],
  }
}

t.test('renderCpuSection shows every process, the total, the floor and a missed ratio', async (t) => {
  const rows = cpuRows(
    [track(2, 'aggregator', 0, 3), track(3, 'postgres: aggregator', 0, 2, true), track(4, 'postgres: bench-probe', 0, 1)],
    100,
    1000,
  )
  const kafka = sharedCpu('kafka', 9, { grossMs: 50, idleMs: 30, idleSeconds: 3, windowSeconds: 2 }, 1000)
  const cpu = pipelineCpu({ events: 1000, windowSeconds: 2, clockTicksPerSecond: 100, backendsSeen: 2 }, rows, [kafka])
  const text = renderCpuSection(resultsWith(cpu, floor)).join('\n')
  t.match(text, '| aggregator | 1 | 30 | 30.0 |')
  t.match(text, '| postgres: aggregator | 1 (1 gone before the end) | 20 | 20.0 |')
  t.match(text, "postgres: bench-probe (the bench's own; not counted)")
  t.match(text, '| kafka (shared; net of idle) | 1 | 30 (pid 9; gross 50 ms, idle 10.0 ms/s x 2.0 s) | 30.0 (gross 50.0) |')
  t.match(text, '| services + their PostgreSQL backends (nothing shared) | | | 50.0 |')
  t.match(text, '**total** (Redis, Kafka net) | | | **80.0** (gross 100.0)')
  t.match(text, 'aggregator + its PostgreSQL backends (apply) | | | 50.0')
  t.match(
    text,
    'claim floor: PostgreSQL backend, the claim alone (2 batches of 500 (end-to-end drain mean); median of 3 rounds: 9.0 / 10.0 / 12.0) | 1 | 10 | 10.0',
  )
  t.match(text, '**apply / claim floor** (target <= 2x) | | | **5.00x** **miss**')
  const noFloor = renderCpuSection(resultsWith(cpu, null)).join('\n')
  t.match(noFloor, 'not measured (phase `claim-floor` did not run)')
  t.same(renderCpuSection(resultsWith(null, null)), [], 'nothing measured: no section')
})
