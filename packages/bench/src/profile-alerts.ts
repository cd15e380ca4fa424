/**
 * Alert-pass profile: `pnpm --filter @event-analytics/bench run profile:alerts`.
 *
 * The pass the aggregator's alert loop runs after its batches (`evaluateAlerts`), over events
 * filled the way the throughput phase fills them (bench messages through `commitMessages`: one
 * EventCreated per event, participants over three channels), on a database of its own (created,
 * then dropped) and one connection. Nothing changes between passes, so every pass reads the same
 * facts and writes nothing: what is measured is the cost of looking. Prints the wall time and the
 * CPU of this process and of the backend, per pass and per event of a pass.
 *
 * Settings (environment): PROFILE_EVENTS (200: the events a pass names, as a bench batch does),
 * PROFILE_PARTICIPANTS (30 per event), PROFILE_PASSES (100 per round), PROFILE_ROUNDS (3),
 * DATABASE_URL (server).
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { commitMessages, evaluateAlerts } from '@event-analytics/aggregator'
import { env, loadConfig } from '@event-analytics/ops'
import { closeDb, createDb, dropDatabase, setupDatabase, withDatabase } from '@event-analytics/db'
import { readBackendPid } from '@event-analytics/db/bench'
import { processCpuMicros } from './proc-cpu.js'
import { backlog, newEventIds } from './workload.js'

const settings = loadConfig(
  {
    DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/postgres'),
    PROFILE_EVENTS: env.integer(200, 1),
    PROFILE_PARTICIPANTS: env.integer(30, 1),
    PROFILE_PASSES: env.integer(100, 1),
    PROFILE_ROUNDS: env.integer(3, 1),
  },
  process.env,
)

const APPLY_BATCH = 2_500

async function main(): Promise<void> {
  const url = withDatabase(settings.DATABASE_URL, `ea_profile_${randomBytes(4).toString('hex')}`)
  await setupDatabase(url, { monthsBack: 1, monthsAhead: 1 })
  const db = createDb(url, { applicationName: 'profile-alerts', poolSize: 1 })
  try {
    const eventIds = newEventIds(settings.PROFILE_EVENTS)
    const messages = backlog(eventIds, settings.PROFILE_EVENTS * (settings.PROFILE_PARTICIPANTS + 1))
    for (let start = 0; start < messages.length; start += APPLY_BATCH) await commitMessages(db, messages.slice(start, start + APPLY_BATCH))
    const backend = await readBackendPid(db)
    console.log(`profile:alerts settings ${JSON.stringify(settings).replace(/"DATABASE_URL":"[^"]*",?/, '')}`)
    // The first passes compile what the rest run: left out.
    for (let pass = 0; pass < 10; pass += 1) await evaluateAlerts(db, eventIds, new Date())
    for (let round = 1; round <= settings.PROFILE_ROUNDS; round += 1) {
      const backendBefore = processCpuMicros(backend)
      const clientBefore = process.cpuUsage()
      const start = performance.now()
      for (let pass = 0; pass < settings.PROFILE_PASSES; pass += 1) await evaluateAlerts(db, eventIds, new Date())
      const wallMs = performance.now() - start
      const client = process.cpuUsage(clientBefore)
      const clientMs = (client.user + client.system) / 1000
      const backendMs = (processCpuMicros(backend) - backendBefore) / 1000
      const perPass = (ms: number): string => `${(ms / settings.PROFILE_PASSES).toFixed(2)} ms`
      const perEvent = (ms: number): string => `${((ms * 1000) / settings.PROFILE_PASSES / settings.PROFILE_EVENTS).toFixed(1)} µs`
      console.log(
        `round ${round}: ${settings.PROFILE_PASSES} passes over ${settings.PROFILE_EVENTS} events: per pass wall ${perPass(wallMs)}, ` +
          `client CPU ${perPass(clientMs)}, backend CPU ${perPass(backendMs)}; per event of a pass: client ${perEvent(clientMs)}, ` +
          `backend ${perEvent(backendMs)}`,
      )
    }
  } finally {
    await closeDb(db)
    await dropDatabase(url)
  }
}

await main()
