/**
 * Claim profile: `pnpm --filter @event-analytics/bench run profile:claim`.
 *
 * The aggregator's claim (`claimMessages`, one transaction per batch with its commit) and nothing
 * else, like the bench's claim-floor phase, but against a database whose older dedupe days hold
 * claims (the steady state of a 14-day retention: every claim also probes the older days) and
 * optionally with redelivered ids in every batch. The ids are dated now, like a live stream's, and
 * each older day closed at its end (as the epoch's roll at midnight would have). Reports, per round and as the median of the
 * rounds, the CPU of the one backend (pg_backend_pid(), /proc) and of this process (the client)
 * per message, and the wall time. Each round starts from an empty current day (its partition
 * truncated); the older days stay. Read it as ratios between runs taken side by side.
 *
 * Settings (environment): PROFILE_MESSAGES (60000) fresh ids per round, PROFILE_BATCH (2500),
 * PROFILE_ROUNDS (5), PROFILE_OLDER_DAYS (13) dedupe partitions before the epoch filled with
 * PROFILE_OLDER_CLAIMS (20000) claims each, PROFILE_DUPLICATE_PERCENT (0): that share of each
 * batch after the first repeats ids of the batch before (claimed today: a redelivery),
 * DATABASE_URL (server).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { env, loadConfig } from '@event-analytics/ops'
import { addDays, claimMessages, closeDb, createDb, dropDatabase, setupDatabase, utcDay, withDatabase } from '@event-analytics/db'
import { readBackendPid, resetBenchCurrentClaims, seedBenchOlderClaims } from '@event-analytics/db/bench'
import { median, processCpuMicros } from './proc-cpu.js'

const settings = loadConfig(
  {
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/postgres'),
    PROFILE_MESSAGES: env.integer(60_000, 100),
    PROFILE_BATCH: env.integer(2_500, 1),
    PROFILE_ROUNDS: env.integer(5, 1),
    PROFILE_OLDER_DAYS: env.integer(13, 0, 13),
    PROFILE_OLDER_CLAIMS: env.integer(20_000, 0),
    PROFILE_DUPLICATE_PERCENT: env.integer(0, 0, 100),
  },
  process.env,
)

interface Round {
  readonly backendMicros: number
  readonly clientMicros: number
  readonly wallMs: number
}

/** Batches of fresh ids, each after the first led by a share of the batch before's ids. */
function batchesOfIds(): { batches: string[][]; fresh: number[] } {
  const batches: string[][] = []
  const fresh: number[] = []
  let previous: string[] = []
  for (let start = 0; start < settings.PROFILE_MESSAGES; start += settings.PROFILE_BATCH) {
    const ids = Array.from({ length: Math.min(settings.PROFILE_BATCH, settings.PROFILE_MESSAGES - start) }, () => randomUUID())
    const repeated = previous.slice(0, Math.floor((previous.length * settings.PROFILE_DUPLICATE_PERCENT) / 100))
    batches.push([...repeated, ...ids])
    fresh.push(ids.length)
    previous = ids
  }
  return { batches, fresh }
}

async function runRound(db: ReturnType<typeof createDb>, pid: number): Promise<Round> {
  const { batches, fresh } = batchesOfIds()
  await resetBenchCurrentClaims(db)
  const before = processCpuMicros(pid)
  const clientBefore = process.cpuUsage()
  const started = performance.now()
  for (const [index, batch] of batches.entries()) {
    // Dated now, as a live stream's messages are.
    const occurredAt = new Map(batch.map((id) => [id, Date.now()]))
    const claimed = await db.transaction().execute((trx) => claimMessages(trx, batch, { occurredAt }))
    if (claimed.size !== fresh[index]) throw new Error(`claim profile: ${claimed.size} of ${fresh[index]} fresh ids claimed`)
  }
  const wallMs = performance.now() - started
  const client = process.cpuUsage(clientBefore)
  return { backendMicros: processCpuMicros(pid) - before, clientMicros: client.user + client.system, wallMs }
}

async function main(): Promise<void> {
  const url = withDatabase(settings.DATABASE_URL, `ea_profile_${randomBytes(4).toString('hex')}`)
  await setupDatabase(url, { monthsBack: 1, monthsAhead: 1 })
  const db = createDb(url, { applicationName: 'profile-claim', poolSize: 1 })
  try {
    const today = utcDay(new Date())
    const olderDays = Array.from({ length: settings.PROFILE_OLDER_DAYS }, (_, i) => addDays(today, -(i + 1)))
    await seedBenchOlderClaims(db, olderDays, settings.PROFILE_OLDER_CLAIMS)
    const pid = await readBackendPid(db)
    console.log(`profile:claim settings ${JSON.stringify(settings).replace(/"DATABASE_URL":"[^"]*",?/, '')}`)
    const rounds: Round[] = []
    const perMessage = (micros: number): number => micros / settings.PROFILE_MESSAGES
    for (let round = 1; round <= settings.PROFILE_ROUNDS; round += 1) {
      const result = await runRound(db, pid)
      rounds.push(result)
      console.log(
        `round ${round}: backend ${perMessage(result.backendMicros).toFixed(2)} CPU-µs/msg, client ` +
          `${perMessage(result.clientMicros).toFixed(2)}, wall ${result.wallMs.toFixed(0)} ms`,
      )
    }
    if ((await readBackendPid(db)) !== pid) throw new Error(`claim profile: backend ${pid} replaced during the run`)
    const backend = median(rounds.map((r) => perMessage(r.backendMicros)))
    const client = median(rounds.map((r) => perMessage(r.clientMicros)))
    console.log(
      `median of ${rounds.length}: backend ${backend.toFixed(2)} CPU-µs/msg, client ${client.toFixed(2)}, ` +
        `wall ${median(rounds.map((r) => r.wallMs)).toFixed(0)} ms`,
    )
  } finally {
    await closeDb(db)
    await dropDatabase(url)
  }
}

await main()
