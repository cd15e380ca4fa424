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
  steadyCpu,
  TARGETS,
  type BenchResults,
  type ClaimFloorResult,
  type CpuTrack,
  type PipelineCpu,
} from '../src/index.js'
import { clockTicksPerSecond, processCpuMicros } from '../src/proc-cpu.js'

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

t.test('processCpuMicros follows the CPU a live process spends, and refuses a pid /proc does not know', async (t) => {
  const before = processCpuMicros(process.pid)
  const ownBefore = process.cpuUsage()
  // Spend CPU until this process's own clock says 200 ms: the kernel's count must follow.
  let spent = 0
  while (spent < 200_000) {
    const used = process.cpuUsage(ownBefore)
    spent = used.user + used.system
  }
  const measured = processCpuMicros(process.pid) - before
  const tick = 1e6 / clockTicksPerSecond()
  t.ok(measured >= spent - 2 * tick && measured <= spent + 100_000, `${measured} µs from /proc against ${spent} µs spent`)
  t.throws(() => processCpuMicros(2 ** 30), /process 1073741824 is not readable in \/proc/)
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

function resultsWith(cpu: PipelineCpu | null, claimFloor: ClaimFloorResult | null, steady: PipelineCpu | null = null): BenchResults {
  const pipeline = {
    drainSeconds: 1,
    foldSecondsAfterDrain: 0.5,
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
    steady:
      steady === null || cpu === null
        ? null
        : {
            run: { ingestWorkers: 1, aggregators: 1, endToEndRate: 2000, pipeline, cpu: steady },
            messages: steady.events,
            cpu: steadyCpu(cpu, steady),
          },
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

/** A drain of `events` in which each role spent `ms` of CPU (Redis as the one shared process, net = gross). */
function drainCpu(events: number, ms: Record<string, number>): PipelineCpu {
  const rows = cpuRows(
    Object.entries(ms)
      .filter(([role]) => role !== 'redis')
      .map(([role, cpuMs], index) => track(index + 1, role, 0, cpuMs / 10)),
    100,
    events,
  )
  const redis = sharedCpu('redis', 99, { grossMs: ms['redis'] ?? 0, idleMs: 0, idleSeconds: 3, windowSeconds: 5 }, events)
  return pipelineCpu({ events, windowSeconds: 5, clockTicksPerSecond: 100, backendsSeen: 1 }, rows, [redis])
}

t.test('steadyCpu is the extra CPU of the larger drain per extra message, the start-up paid once by both', async (t) => {
  // Each role: a fixed start-up cost plus a cost per message; the steady figure must find the latter alone.
  const perMessageUs = { 'ingest-worker': 10, aggregator: 20, 'postgres: aggregator': 15, 'postgres: bench-probe': 1, redis: 3 }
  const startupMs = { 'ingest-worker': 700, aggregator: 400, 'postgres: aggregator': 200, 'postgres: bench-probe': 50, redis: 90 }
  const drain = (events: number): PipelineCpu =>
    drainCpu(
      events,
      Object.fromEntries(
        Object.entries(perMessageUs).map(([role, us]) => [role, startupMs[role as keyof typeof startupMs] + (us * events) / 1000]),
      ),
    )
  const small = drain(60_000)
  const steady = steadyCpu(small, drain(180_000))
  if (steady === null) throw new Error('no steady figure')
  t.same(
    steady.rows.map((row) => [row.role, Math.round(row.microsPerEvent * 1000) / 1000]),
    [
      ['ingest-worker', 10],
      ['aggregator', 20],
      ['postgres: aggregator', 15],
      ['redis', 3],
    ],
    'per role, the bench probe left out',
  )
  t.equal(Math.round(steady.ownMicrosPerEvent), 45)
  t.equal(Math.round(steady.totalMicrosPerEvent), 48)
  t.equal(Math.round(steady.applyMicrosPerEvent), 35)
  t.ok(small.totalMicrosPerEvent > steady.totalMicrosPerEvent + 20, 'the per-drain figure carries the start-up')
  t.equal(steadyCpu(small, small), null, 'drains of one size: no difference to divide by')
})

t.test('renderCpuSection adds the steady-state column when the larger drain ran', async (t) => {
  const small = drainCpu(1000, { aggregator: 40, 'postgres: aggregator': 20, redis: 10 })
  const large = drainCpu(3000, { aggregator: 80, 'postgres: aggregator': 50, redis: 14 })
  const text = renderCpuSection(resultsWith(small, floor, large)).join('\n')
  t.match(text, '| process | processes | CPU ms | CPU-µs per event | steady state: CPU-µs per event more |')
  t.match(text, '| aggregator | 1 | 40 | 40.0 | 20.0 |')
  t.match(text, '| postgres: aggregator | 1 | 20 | 20.0 | 15.0 |')
  t.match(text, '(gross 10.0) | 2.0 |', 'Redis net, per extra message')
  t.match(text, '**total** (Redis, Kafka net) | | | **70.0** (gross 70.0) | 37.0 |')
  t.match(text, '**apply / claim floor** (target <= 2x) | | | **6.00x** **miss** | 3.50x |')
  t.match(text, 'Steady state: the same pipeline (1+1) drained 3,000 messages')
  t.notMatch(renderCpuSection(resultsWith(small, floor)).join('\n'), 'steady state', 'no larger drain: no column')
})
