/** Pure rendering of the CPU-per-event figures and the claim floor (a subsection of BENCHMARKS.md). */
import type { ClaimFloorResult, PipelineCpu } from './proc-cpu.js'
import { isBenchRole } from './proc-cpu.js'
import type { BenchResults, EndToEndRun } from './results.js'
import type { SteadyCpu } from './steady-cpu.js'
import { TARGETS } from './targets.js'

const us = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '-')
const msText = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-')

/** The steady-state column of a role ('' when the steady drain did not run, '-' when the role is not in it). */
function steadyCell(steady: SteadyCpu | null, value: (steady: SteadyCpu) => number | undefined): string {
  if (steady === null) return ''
  return ` ${us(value(steady) ?? Number.NaN)} |`
}

const steadyOf = (role: string) => (steady: SteadyCpu) => steady.rows.find((row) => row.role === role)?.microsPerEvent

function processRows(cpu: PipelineCpu, steady: SteadyCpu | null): string[] {
  return cpu.rows.map((row) => {
    const bench = isBenchRole(row.role)
    const name = bench ? `${row.role} (the bench's own; not counted)` : row.role
    const gone = row.vanished === 0 ? '' : ` (${row.vanished} gone before the end)`
    const marginal = bench ? (steady === null ? '' : ' |') : steadyCell(steady, steadyOf(row.role))
    return `| ${name} | ${row.processes}${gone} | ${msText(row.cpuMs)} | ${us(row.microsPerEvent)} |${marginal}`
  })
}

function sharedRows(cpu: PipelineCpu, steady: SteadyCpu | null): string[] {
  return cpu.shared.map((s) => {
    const found = s.pid === null ? 'not found' : `pid ${s.pid}`
    const detail = `${found}; gross ${msText(s.grossMs)} ms, idle ${s.idleMsPerSecond.toFixed(1)} ms/s x ${s.windowSeconds.toFixed(1)} s`
    return `| ${s.role} (shared; net of idle) | 1 | ${msText(s.netMs)} (${detail}) | ${us(s.netMicrosPerEvent)} (gross ${us(s.grossMicrosPerEvent)}) |${steadyCell(steady, steadyOf(s.role))}`
  })
}

function floorRows(cpu: PipelineCpu | null, floor: ClaimFloorResult | null, steady: SteadyCpu | null = null): string[] {
  const pad = steady === null ? '' : ' |'
  if (floor === null) return [`| claim floor | - | - | not measured (phase \`claim-floor\` did not run) |${pad}`]
  const target = TARGETS.find((t) => t.id === 'applyVsClaimFloor')?.threshold ?? Number.NaN
  const ratio = cpu === null ? Number.NaN : cpu.applyMicrosPerEvent / floor.backendMicrosPerMessage
  const verdict = !Number.isFinite(ratio) ? 'not measured' : ratio <= target ? 'pass' : '**miss**'
  const steadyRatio = steady === null ? '' : ` ${(steady.applyMicrosPerEvent / floor.backendMicrosPerMessage).toFixed(2)}x |`
  const rounds = floor.roundsBackendMicrosPerMessage.map(us).join(' / ')
  const batches = `${floor.batches} batches of ${floor.batchSize.toLocaleString('en-US')} (${floor.batchSource}); median of ${floor.rounds} rounds: ${rounds}`
  return [
    `| claim floor: PostgreSQL backend, the claim alone (${batches}) | 1 | ${msText(floor.backendMicrosPerMessage * floor.messages * 1e-3)} | ${us(floor.backendMicrosPerMessage)} |${pad}`,
    `| claim floor: its client (the bench process) | 1 | ${msText(floor.clientMicrosPerMessage * floor.messages * 1e-3)} | ${us(floor.clientMicrosPerMessage)} |${pad}`,
    `| **apply / claim floor** (target <= ${target}x) | | | **${Number.isFinite(ratio) ? ratio.toFixed(2) : '-'}x** ${verdict} |${steadyRatio}`,
  ]
}

function scaleOutLine(run: EndToEndRun | null): string[] {
  const cpu = run?.cpu
  if (run === null || cpu === undefined || cpu === null) return []
  return [
    '',
    `Scale-out drain (${run.ingestWorkers}+${run.aggregators}), same accounting: ${us(cpu.totalMicrosPerEvent)} CPU-µs per event in total (gross ${us(cpu.grossTotalMicrosPerEvent)}), aggregators + their backends ${us(cpu.applyMicrosPerEvent)}.`,
  ]
}

const FOOTNOTES = (cpu: PipelineCpu): string[] => [
  `What is counted: utime + stime of each process from \`/proc/<pid>/stat\` (all its threads; ${cpu.clockTicksPerSecond} ticks/s, so 10 ms steps), over the 1+1 end-to-end drain, divided by the backlog's ${cpu.events.toLocaleString('en-US')} messages. The services count from the first answer of their ops port (module loading left out; dependency checks and the consumer's join, which may already fetch before \`/ready\` says 200, counted) to the last message visible and the returning-participants fold caught up. PostgreSQL backends are the rows of \`pg_stat_activity\` for the drain's database, polled every 250 ms over a ${cpu.windowSeconds.toFixed(1)} s window (${cpu.backendsSeen} seen), named by their client's \`application_name\`; one that opened inside the window counts from 0 (its connection set-up included); one that closed counts up to its last poll (PostgreSQL 15 keeps no per-backend CPU counter; the pools close a connection only after 10 s idle, so what is lost is its exit).`,
  `Redis and Kafka are shared with other engineers' work on this machine: their gross CPU includes it. The net figure subtracts the rate each showed with nothing of the bench running (two idle windows, ${(cpu.shared[0]?.idleSeconds ?? Number.NaN).toFixed(1)} s in all: just before the pipeline started and just after it stopped), scaled to the window; the others' load changes from second to second, so net is an estimate (it can go below 0) and the gross is shown beside it. The total counts them net; the line above it is the part no other work touches.`,
  "Not counted: the schema registry (the worker caches the schemas), PostgreSQL's server-wide processes (WAL writer, checkpointer, background writer: shared with every database on the server) and the bench process (producer, progress probe). The returning-participants fold is counted whole, with the aggregator and its backends (it folds the registration log in chunks on the aggregator's pool): the window stays open after the last message is visible until the fold has emptied the log (its catch-up is under Throughput).",
  'Claim floor: the aggregator\'s claim (`claimMessages`: the epoch read and its insert: a plain `INSERT` under a savepoint, `ON CONFLICT DO NOTHING` only for a batch holding a key already claimed today, each batch in a transaction of its own with its commit) and no other work, on a fresh database of the same schema, the same number of messages (random UUID ids), one connection, three rounds on fresh databases (the median kept); its backend\'s CPU (`pg_backend_pid()`, /proc) per message. "Apply" is the aggregator process plus the backends it uses.',
]

function steadyNote(r: BenchResults): string[] {
  const steady = r.throughput?.steady
  if (steady === undefined || steady === null || steady.cpu === null) return []
  const { smallEvents, largeEvents } = steady.cpu
  return [
    `Steady state: the same pipeline (1+1) drained ${largeEvents.toLocaleString('en-US')} messages from a fresh lane (${Math.round(steady.run.endToEndRate).toLocaleString('en-US')} msg/s); the column is its CPU minus the first drain's, per message more (${(largeEvents - smallEvents).toLocaleString('en-US')}): the cost of one more event, without the start-up, the group join and the JIT warm-up that both drains pay once. Both are single noisy drains; their difference is noisier than either.`,
    '',
  ]
}

export function renderCpuSection(r: BenchResults): string[] {
  const cpu = r.throughput?.cpu ?? null
  const floor = r.claimFloor ?? null
  if (cpu === null && floor === null) return []
  const steady = r.throughput?.steady?.cpu ?? null
  const head = ['### CPU per event', '']
  const table =
    steady === null
      ? ['| process | processes | CPU ms | CPU-µs per event |', '|---|---|---|---|']
      : ['| process | processes | CPU ms | CPU-µs per event | steady state: CPU-µs per event more |', '|---|---|---|---|---|']
  if (cpu === null) return [...head, ...table, ...floorRows(null, floor), '']
  return [
    ...head,
    ...table,
    ...processRows(cpu, steady),
    ...sharedRows(cpu, steady),
    `| services + their PostgreSQL backends (nothing shared) | | | ${us(cpu.ownMicrosPerEvent)} |${steadyCell(steady, (s) => s.ownMicrosPerEvent)}`,
    `| **total** (Redis, Kafka net) | | | **${us(cpu.totalMicrosPerEvent)}** (gross ${us(cpu.grossTotalMicrosPerEvent)}) |${steadyCell(steady, (s) => s.totalMicrosPerEvent)}`,
    `| aggregator + its PostgreSQL backends (apply) | | | ${us(cpu.applyMicrosPerEvent)} |${steadyCell(steady, (s) => s.applyMicrosPerEvent)}`,
    ...floorRows(cpu, floor, steady),
    ...scaleOutLine(r.throughput?.scaleOut ?? null),
    '',
    ...steadyNote(r),
    ...FOOTNOTES(cpu).flatMap((line) => [line, '']),
  ]
}
