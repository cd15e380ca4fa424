/**
 * Chaos: `pnpm rebuild run` (the rebuild's ingest worker and aggregator, one process) is SIGKILLed
 * mid-way through the log and started again: it resumes from its group's committed offsets and its
 * set ends with the same figures as the live set, every message applied once (the claims and the
 * settled prefix, as for the live pipeline). Then the command line's one-shot commands on that set.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { sql } from 'kysely'
import { closeDb, compareProjectionSets, countClaimedMessages, createDb } from '@event-analytics/db'
import { expectedTables, readTables } from '@event-analytics/e2e'
import { createGroundTruth, scenarioEvents } from '@event-analytics/simulator'
import { readOffsets } from '../src/kafka.js'
import { progressOf } from '../src/progress.js'
import { startLive } from './helpers/live.js'

const HOUR_MS = 3_600_000
const SET = 'rb_chaos'
const packageDir = fileURLToPath(new URL('..', import.meta.url))

// A live pipeline, a log of 12,000 messages, a rebuild paced in small batches and a second one: minutes
// on a loaded two-core machine.
t.setTimeout(600_000)
const live = await startLive(t)
const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 48 * HOUR_MS
const stream = [
  ...scenarioEvents({ seed: 11, start, idPrefix: live.run, owners: 3, eventsPerOwner: 3, participants: 12_000, spanHours: 48 }),
]
const truth = createGroundTruth()
for (const event of stream) truth.add(event)
await live.produce(stream)
await live.caughtUp()
const group = `${live.env['KAFKA_GROUP_ID']}.${SET}`

/** `slow`: small jobs and batches, so the log takes many commits and a kill lands part-way on any machine. */
function runRebuild(slow = false): { child: ChildProcess; output: () => string } {
  let output = ''
  const pace = slow ? { INGEST_MAX_EVENTS_PER_JOB: '50', AGGREGATOR_BATCH_MAX_MESSAGES: '50', AGGREGATOR_CONCURRENCY: '1' } : {}
  const child = spawn(process.execPath, ['--conditions=event-analytics-source', '--import', 'tsx', 'src/cli.ts', 'run', '--set', SET], {
    cwd: packageDir,
    // Not niced (a loaded CI machine would starve the run for minutes; the priority is not what this
    // tests), and a generous shutdown bound for closing its two services there.
    env: {
      ...process.env,
      ...live.env,
      ...pace,
      REBUILD_OPS_PORT: '0',
      LOG_LEVEL: 'warn',
      REBUILD_NICE: '0',
      SHUTDOWN_TIMEOUT_MS: '90000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { child, output: () => output }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

async function until(what: string, holds: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

t.test('a rebuild killed mid-way resumes to the live figures, every message once', async (t) => {
  const first = runRebuild(true)
  t.teardown(() => first.child.kill('SIGKILL'))
  let atKill = progressOf(await readOffsets(live.admin, group, live.topics))
  await until('the rebuild to be part-way', async () => {
    atKill = progressOf(await readOffsets(live.admin, group, live.topics))
    // A fifth of the way: jobs applied but not yet committed, others queued, the rest unread.
    return atKill.done >= atKill.total / 5
  })
  first.child.kill('SIGKILL')
  t.equal((await exited(first.child)).signal, 'SIGKILL')
  t.match(first.output(), /created projection set rb_chaos/)
  t.ok(atKill.lag > 0, `killed mid-way: ${atKill.done} of ${atKill.total} done`)

  const second = runRebuild()
  t.teardown(() => second.child.kill('SIGKILL'))
  await until('the resumed rebuild to catch up', () => second.output().includes('caught up'))
  t.match(second.output(), /resuming projection set rb_chaos/)
  second.child.kill('SIGTERM')
  t.equal((await exited(second.child)).code, 0, 'a signal stops the run cleanly', { output: second.output().slice(-2_000) })

  const setDb = createDb(live.testDb.url, { poolSize: 2, projectionSet: SET })
  t.teardown(() => closeDb(setDb))
  await until('the registration logs to be folded', async () => {
    const { rows } = await sql<{ pending: string }>`
      SELECT (SELECT count(*) FROM public.participant_registrations) + (SELECT count(*) FROM rb_chaos.participant_registrations) AS pending`.execute(
      live.testDb.db,
    )
    return Number(rows[0]?.pending) === 0
  })
  const expected = truth.result()
  t.equal(await countClaimedMessages(setDb), expected.messages.unique, 'every distinct message claimed once')
  const wanted = expectedTables(expected)
  const rebuilt = await readTables(setDb)
  t.same(rebuilt.events, wanted.events, 'event_stats of the resumed rebuild equals the ground truth')
  t.same(rebuilt.channels, wanted.channels)
  t.same(rebuilt.timeline, wanted.timeline)
  const report = await compareProjectionSets(live.testDb.db, 'public', SET)
  t.same(report.differences, [], 'no event differs from the live set')
})

t.test('the one-shot commands on the rebuilt set', async (t) => {
  const list = await command(['list'])
  t.match(list.stdout, /\* public\s+live/, 'list: public is live')
  t.match(list.stdout, / {2}rb_chaos\s+ready .* lag 0/, 'list: the rebuilt set, ready, caught up')
  const status = await command(['status', SET])
  t.match(status.stdout, /\[#+\] 100\.0 %.* lag 0 /, 'status: the progress line')
  t.match(status.stdout, /the whole log is there/, 'status: what retention kept')
  const compared = await command(['compare', SET, '--json'])
  t.same((JSON.parse(compared.stdout) as { differences: unknown[] }).differences, [], 'compare --json: nothing differs')
  const env = await command(['env', SET])
  t.match(env.stdout, new RegExp(`KAFKA_GROUP_ID=${group.replaceAll('.', '\\.')}\n`))
  const refused = await command(['switch', SET])
  t.equal(refused.code, 1, 'switch: refused, no pipeline writes the set now')
  t.match(refused.stderr, /no pipeline writes "rb_chaos"/)
  const dropped = await command(['drop', SET])
  t.equal(dropped.code, 0)
  t.match(dropped.stdout, /dropped set rb_chaos and its consumer group/)
})

/** A one-shot command of the CLI, with the live pipeline's environment. */
async function command(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=event-analytics-source', '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: packageDir,
    env: { ...process.env, ...live.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const { code } = await exited(child)
  return { code, stdout, stderr }
}
