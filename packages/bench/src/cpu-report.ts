/** Pure rendering of the CPU-per-event figures and the claim floor (a subsection of BENCHMARKS.md). */
import type { ClaimFloorResult, PipelineCpu } from './proc-cpu.js'
import { BENCH_APPLICATIONS } from './proc-cpu.js'
import type { BenchResults, EndToEndRun } from './results.js'
import { TARGETS } from './targets.js'

const us = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '-')
const msText = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-')

function processRows(cpu: PipelineCpu): string[] {
  return cpu.rows.map((row) => {
    const bench = BENCH_APPLICATIONS.some((app) => row.role === `postgres: ${app}`)
    const name = bench ? `${row.role} (the bench's own; not counted)` : row.role
    const gone = row.vanished === 0 ? '' : ` (${row.vanished} gone before the end)`
    return `| ${name} | ${row.processes}${gone} | ${msText(row.cpuMs)} | ${us(row.microsPerEvent)} |`
  })
}

function sharedRows(cpu: PipelineCpu): string[] {
  return cpu.shared.map((s) => {
    const found = s.pid === null ? 'not found' : `pid ${s.pid}`
    const detail = `${found}; gross ${msText(s.grossMs)} ms, idle ${s.idleMsPerSecond.toFixed(1)} ms/s x ${s.windowSeconds.toFixed(1)} s`
    return `| ${s.role} (shared; net of idle) | 1 | ${msText(s.netMs)} (${detail}) | ${us(s.netMicrosPerEvent)} (gross ${us(s.grossMicrosPerEvent)}) |`
  })
}

function floorRows(cpu: PipelineCpu | null, floor: ClaimFloorResult | null): string[] {
  if (floor === null) return ['| claim floor | - | - | not measured (phase `claim-floor` did not run) |']
  const target = TARGETS.find((t) => t.id === 'applyVsClaimFloor')?.threshold ?? Number.NaN
  const ratio = cpu === null ? Number.NaN : cpu.applyMicrosPerEvent / floor.backendMicrosPerMessage
  const verdict = !Number.isFinite(ratio) ? 'not measured' : ratio <= target ? 'pass' : '**miss**'
  const rounds = floor.roundsBackendMicrosPerMessage.map(us).join(' / ')
  const batches = `${floor.batches} batches of ${floor.batchSize.toLocaleString('en-US')} (${floor.batchSource}); median of ${floor.rounds} rounds: ${rounds}`
  return [
    `| claim floor: PostgreSQL backend, the claim alone (${batches}) | 1 | ${msText(floor.backendMicrosPerMessage * floor.messages * 1e-3)} | ${us(floor.backendMicrosPerMessage)} |`,
    `| claim floor: its client (the bench process) | 1 | ${msText(floor.clientMicrosPerMessage * floor.messages * 1e-3)} | ${us(floor.clientMicrosPerMessage)} |`,
    `| **apply / claim floor** (target <= ${target}x) | | | **${Number.isFinite(ratio) ? ratio.toFixed(2) : '-'}x** ${verdict} |`,
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
  `What is counted: utime + stime of each process from \`/proc/<pid>/stat\` (all its threads; ${cpu.clockTicksPerSecond} ticks/s, so 10 ms steps), over the 1+1 end-to-end drain, divided by the backlog's ${cpu.events.toLocaleString('en-US')} messages. The services count from the first answer of their ops port (module loading left out; dependency checks and the consumer's join, which may already fetch before \`/ready\` says 200, counted) to the last message visible. PostgreSQL backends are the rows of \`pg_stat_activity\` for the drain's database, polled every 250 ms over a ${cpu.windowSeconds.toFixed(1)} s window (${cpu.backendsSeen} seen), named by their client's \`application_name\`; one that opened inside the window counts from 0 (its connection set-up included); one that closed counts up to its last poll (PostgreSQL 15 keeps no per-backend CPU counter; the pools close a connection only after 10 s idle, so what is lost is its exit).`,
  `Redis and Kafka are shared with other engineers' work on this machine: their gross CPU includes it. The net figure subtracts the rate each showed with nothing of the bench running (two idle windows, ${(cpu.shared[0]?.idleSeconds ?? Number.NaN).toFixed(1)} s in all: just before the pipeline started and just after it stopped), scaled to the window; the others' load changes from second to second, so net is an estimate (it can go below 0) and the gross is shown beside it. The total counts them net; the line above it is the part no other work touches.`,
  'Not counted: the schema registry (the worker caches the schemas), PostgreSQL\'s server-wide processes (WAL writer, checkpointer, background writer: shared with every database on the server), the bench process (producer, progress probe), and the returning-participants fold: it waits until the aggregator commits no batch for an interval, so it runs after the drain\'s window, at about 15 CPU-µs per registration of database time (the "returning fold" line of `profile:apply`); under load that never pauses it runs every 60 s and costs that then.',
  'Claim floor: the aggregator\'s claim (`claimMessages`: the epoch read and its insert: a plain `INSERT` under a savepoint, `ON CONFLICT DO NOTHING` only for a batch holding a key already claimed today, each batch in a transaction of its own with its commit) and no other work, on a fresh database of the same schema, the same number of messages (random UUID ids), one connection, three rounds on fresh databases (the median kept); its backend\'s CPU (`pg_backend_pid()`, /proc) per message. "Apply" is the aggregator process plus the backends it uses.',
]

export function renderCpuSection(r: BenchResults): string[] {
  const cpu = r.throughput?.cpu ?? null
  const floor = r.claimFloor ?? null
  if (cpu === null && floor === null) return []
  const head = ['### CPU per event', '']
  const table = ['| process | processes | CPU ms | CPU-µs per event |', '|---|---|---|---|']
  if (cpu === null) return [...head, ...table, ...floorRows(null, floor), '']
  return [
    ...head,
    ...table,
    ...processRows(cpu),
    ...sharedRows(cpu),
    `| services + their PostgreSQL backends (nothing shared) | | | ${us(cpu.ownMicrosPerEvent)} |`,
    `| **total** (Redis, Kafka net) | | | **${us(cpu.totalMicrosPerEvent)}** (gross ${us(cpu.grossTotalMicrosPerEvent)}) |`,
    `| aggregator + its PostgreSQL backends (apply) | | | ${us(cpu.applyMicrosPerEvent)} |`,
    ...floorRows(cpu, floor),
    ...scaleOutLine(r.throughput?.scaleOut ?? null),
    '',
    ...FOOTNOTES(cpu).flatMap((line) => [line, '']),
  ]
}
