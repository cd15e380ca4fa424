/**
 * Apply-path profile: `pnpm --filter @event-analytics/bench run profile:apply`.
 *
 * Bench messages (one EventCreated per event, the rest participants) go in fixed-size batches
 * straight into the aggregator's `commitMessages`, one batch after another, against a database
 * of its own (created, then dropped). No Kafka, no BullMQ: only what the aggregator does per
 * batch. Every SQL statement is timed through Kysely's query log and filed under a step; the
 * fold is timed apart on the same batches (it is pure). What is left of the wall time is the
 * JavaScript around the statements (the fold among it) and the pool.
 *
 * Settings (environment): PROFILE_MESSAGES (60000) per round, PROFILE_BATCH (2500),
 * PROFILE_EVENTS (200), PROFILE_ROUNDS (3; fresh messages each round, same database, so later
 * rounds meet populated tables), PROFILE_OLDER_DAYS (3) dedupe partitions before the epoch
 * filled with PROFILE_OLDER_CLAIMS (50000) claims each, DATABASE_URL (server).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { commitMessages, foldBatch } from '@event-analytics/aggregator'
import type { DomainEvent } from '@event-analytics/contracts'
import { env, loadConfig } from '@event-analytics/ops'
import { addDays, closeDb, createDb, dropDatabase, foldRegistrations, setupDatabase, utcDay, withDatabase } from '@event-analytics/db'
import { readBenchUpdateStats, seedBenchOlderClaims } from '@event-analytics/db/bench'
import type { LogEvent } from 'kysely'
import { backlog, newEventIds } from './workload.js'

const settings = loadConfig(
  {
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/postgres'),
    PROFILE_MESSAGES: env.integer(60_000, 100),
    PROFILE_BATCH: env.integer(2_500, 1),
    PROFILE_EVENTS: env.integer(200, 1),
    PROFILE_ROUNDS: env.integer(3, 1),
    PROFILE_OLDER_DAYS: env.integer(3, 0, 13),
    PROFILE_OLDER_CLAIMS: env.integer(50_000, 0),
  },
  process.env,
)

/** Steps by the statement text (first match wins); lower-cased, quotes removed. */
const STEPS: readonly (readonly [string, RegExp])[] = [
  ['claim: epoch', /from dedupe_epoch/],
  ['claim: savepoint', /savepoint claim_insert/],
  ['claim: insert + older days (one statement)', /insert into processed_messages.*dedupe_day </],
  ['claim: insert', /insert into processed_messages/],
  ['claim: older days', /from processed_messages/],
  ['claim: function', /claim_messages|apply_claims/],
  ['upsert: events', /insert into event_stats/],
  ['upsert: channels', /insert into channel_stats/],
  ['upsert: timeline', /insert into timeline_data/],
  ['cumulative', /update timeline_data/],
  ['derived', /update event_stats/],
  ['settle', /settled_jobs|apply_failures/],
  ['returning: registration log', /insert into participant_registrations/],
  ['owners', /from event_stats/],
  ['timeline partitions (catalog)', /pg_inherits|relname/],
  ['begin', /^begin/],
  ['commit (WAL flush)', /^commit/],
]

function stepOf(sqlText: string): string {
  const text = sqlText.toLowerCase().replaceAll('"', '').replace(/\s+/g, ' ').trim()
  return STEPS.find(([, pattern]) => pattern.test(text))?.[0] ?? `other: ${text.slice(0, 40)}`
}

class StepClock {
  readonly totals = new Map<string, number>()
  recording = false
  readonly log = (event: LogEvent): void => {
    if (!this.recording) return
    const step = stepOf(event.query.sql)
    this.totals.set(step, (this.totals.get(step) ?? 0) + event.queryDurationMillis)
  }
}

function batchesOf(messages: readonly DomainEvent[], size: number): DomainEvent[][] {
  const batches: DomainEvent[][] = []
  for (let start = 0; start < messages.length; start += size) batches.push(messages.slice(start, start + size))
  return batches
}

interface RoundResult {
  readonly wallMs: number
  /** This process's CPU (user + system) over the apply loop: the aggregator's side of the batches. */
  readonly clientCpuMs: number
  readonly foldMs: number
  /** The returning-participants fold of the round's registrations, run after it (off the apply path). */
  readonly returningFoldMs: number
  readonly steps: Map<string, number>
}

async function runRound(db: ReturnType<typeof createDb>, clock: StepClock): Promise<RoundResult> {
  const batches = batchesOf(backlog(newEventIds(settings.PROFILE_EVENTS), settings.PROFILE_MESSAGES), settings.PROFILE_BATCH)
  const foldStart = performance.now()
  for (const batch of batches) foldBatch(batch)
  const foldMs = performance.now() - foldStart
  clock.totals.clear()
  clock.recording = true
  const start = performance.now()
  const cpuBefore = process.cpuUsage()
  for (const batch of batches) await commitMessages(db, batch)
  const cpu = process.cpuUsage(cpuBefore)
  const wallMs = performance.now() - start
  clock.recording = false
  const returningStart = performance.now()
  await foldRegistrations(db)
  return {
    wallMs,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    foldMs,
    returningFoldMs: performance.now() - returningStart,
    steps: new Map(clock.totals),
  }
}

function report(round: number, result: RoundResult): void {
  const messages = settings.PROFILE_MESSAGES
  const perMessage = (ms: number): string => `${((ms * 1000) / messages).toFixed(2)} µs/msg`
  const sqlMs = [...result.steps.values()].reduce((a, b) => a + b, 0)
  const rows: [string, number][] = [...result.steps.entries()].sort((a, b) => b[1] - a[1])
  rows.push(['fold (pure, timed apart)', result.foldMs])
  rows.push(['rest: JS between statements, pool', result.wallMs - sqlMs])
  console.log(
    `\nround ${round}: ${messages} messages in ${Math.ceil(messages / settings.PROFILE_BATCH)} batches: ` +
      `${result.wallMs.toFixed(0)} ms wall, ${Math.round((messages * 1000) / result.wallMs)} msg/s, SQL ${sqlMs.toFixed(0)} ms, ` +
      `client CPU ${perMessage(result.clientCpuMs).replace('µs/msg', 'CPU-µs/msg')}`,
  )
  for (const [step, ms] of rows) console.log(`  ${step.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${perMessage(ms)}`)
  const offPath = 'returning fold (off the apply path, after it)'
  console.log(`  ${offPath.padEnd(44)} ${result.returningFoldMs.toFixed(1).padStart(8)} ms  ${perMessage(result.returningFoldMs)}`)
}

/** HOT share of the projections' updates over all rounds (the collector lags a little behind). */
async function reportUpdates(db: ReturnType<typeof createDb>): Promise<void> {
  await sleep(1500)
  console.log('\nupdates (all rounds, as the statistics collector has them):')
  for (const row of await readBenchUpdateStats(db)) {
    const share = row.updates === 0 ? 0 : (100 * row.hotUpdates) / row.updates
    console.log(`  ${row.table.padEnd(14)} ${String(row.updates).padStart(8)} updates, ${share.toFixed(0)}% HOT`)
  }
}

async function main(): Promise<void> {
  const url = withDatabase(settings.DATABASE_URL, `ea_profile_${randomBytes(4).toString('hex')}`)
  await setupDatabase(url, { monthsBack: 1, monthsAhead: 1 })
  const clock = new StepClock()
  const db = createDb(url, { applicationName: 'profile-apply', poolSize: 2, log: clock.log })
  try {
    const today = utcDay(new Date())
    const olderDays = Array.from({ length: settings.PROFILE_OLDER_DAYS }, (_, i) => addDays(today, -(i + 1)))
    await seedBenchOlderClaims(db, olderDays, settings.PROFILE_OLDER_CLAIMS)
    console.log(`profile:apply settings ${JSON.stringify(settings).replace(/"DATABASE_URL":"[^"]*",?/, '')}`)
    for (let round = 1; round <= settings.PROFILE_ROUNDS; round += 1) report(round, await runRound(db, clock))
    await reportUpdates(db)
  } finally {
    await closeDb(db)
    await dropDatabase(url)
  }
}

await main()
