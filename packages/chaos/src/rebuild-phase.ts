/**
 * The rebuild under a kill (docs/rebuild.md): `pnpm run rebuild run --set chaos_rebuild` reads the
 * log the fault runs left — their bad messages, upstream re-sends, messages read twice after every
 * kill and restart — into a second projection set while the live services keep serving. It is
 * SIGKILLed once its group has committed its first offsets (ingest worker and aggregator die
 * together, jobs applied but not committed, others queued), started again, and must resume to a set
 * that equals the ground truth and the live set, every distinct message claimed once, its dead
 * letters in its own marked topic and none added to the live one. Then the set, its group, its
 * dead-letter topic and its queue are removed.
 *
 * Where it runs: the rebuild reads what the current Kafka holds, and the truth so far must be exactly
 * that, so the phase runs before the fault run that replaces Kafka (run.ts). The fresh broker holds
 * only what came after it, while the live set keeps everything: no set rebuilt from it could equal
 * the live one, and the comparison with the live set would prove nothing.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { INGEST_QUEUE_NAME } from '@event-analytics/contracts'
import { metricSum } from '@event-analytics/ops/testing'
import { progressOf, readOffsets, rebuildNames, type Progress, type RebuildNames } from '@event-analytics/rebuild'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { readDeadLetters } from './dead-letters.js'
import type { Environment } from './environment.js'
import { isRunning, stopChild } from './infra/proc.js'
import { availabilityProblems, type PhaseContext } from './phases.js'
import { startPolling, summarise, type Sample } from './probe.js'
import { startRebuildProcess, tail, type RebuildProcess } from './rebuild-process.js'
import { claimsOfSet, cleanUp, foldsDone, verifySet } from './rebuild-verify.js'
import type { PhaseResult } from './summary.js'

const SET = 'chaos_rebuild'
/** Bounds for a loaded two-core CI machine; each is a finding when exceeded, never a pass. */
const PART_WAY_TIMEOUT_MS = 120_000
const CAUGHT_UP_TIMEOUT_MS = 150_000
const FOLDED_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 75_000
/**
 * The first run's pace. The ingest worker commits a fetched batch (one partition's fetch, here up to
 * ~2,800 messages) once all its jobs settled, so the committed progress moves in steps. A read
 * ceiling of 1,000 messages a second holds each batch back by the previous one's share of a second
 * (the log takes about 5 s to read), so when the first commit lands, later batches are still
 * unread or queued; small jobs and batches, one at a time, keep the aggregator mid-way in between.
 * The kill waits for the first commit, not for a share of the log: a partition's batch is committed
 * whole once read, so the progress jumps by partitions, and a log whose largest partition holds
 * over four fifths of it (as the fault runs can leave) would pass any share only at its end.
 * Unpaced, the whole log is read and applied in about two seconds and the kill would land after it.
 */
const PACED = {
  INGEST_MAX_EVENTS_PER_JOB: '50',
  AGGREGATOR_BATCH_MAX_MESSAGES: '50',
  AGGREGATOR_CONCURRENCY: '1',
  REBUILD_MAX_MESSAGES_PER_SECOND: '1000',
} as const

/** What the runs left to report, filled as they go (a run that fails later still tells where it was killed). */
interface RunReport {
  atKill?: Progress
  /** Messages the set had claimed (applied) when the first run died. */
  appliedAtKill?: number
  duplicatesDropped?: number
}

export async function rebuildPhase(ctx: PhaseContext, repoRoot: string): Promise<PhaseResult> {
  const started = Date.now()
  const { env } = ctx
  ctx.progress(`▶ rebuild of the log into set ${SET}, SIGKILLed part-way, resumed`)
  const names = namesOf(env)
  const problems: string[] = []
  // The guard of the placement above: a replaced Kafka left its letters here, and its messages nowhere.
  if (ctx.formerDeadLetters.length > 0) problems.push('Kafka was replaced before the rebuild: its log no longer holds the truth so far')
  const liveBefore = await readDeadLetters(env.kafkaClient, env.deadLetterTopic)
  const report: RunReport = {}
  const poller = startPolling(await ctx.targets())
  const completed = await killAndResume(ctx, repoRoot, names, report, problems).then(
    () => true,
    (error: unknown) => {
      problems.push(`rebuild run: ${messageOf(error)}`)
      return false
    },
  )
  const samples = await poller.stop()
  problems.push(...availabilityProblems(samples, {}))
  const connection = new Redis(env.redis.url, { maxRetriesPerRequest: null })
  const queue = new Queue(INGEST_QUEUE_NAME, { connection, prefix: names.queuePrefix })
  queue.on('error', () => undefined)
  const unverified = { claims: 0, letters: 0 }
  try {
    const check = { env, names, truth: ctx.truth.result(), sentBad: ctx.sentBad, queue, liveLettersBefore: liveBefore }
    const verified = !completed
      ? unverified
      : await verifySet(check, problems).catch((error: unknown) => {
          problems.push(`the rebuilt set could not be checked: ${messageOf(error)}`)
          return unverified
        })
    await cleanUp(env, names, queue, problems)
    return phaseResult(ctx, started, report, verified, problems, samples)
  } finally {
    await queue.close().catch(() => undefined)
    connection.disconnect()
  }
}

function phaseResult(
  ctx: PhaseContext,
  started: number,
  report: RunReport,
  verified: { claims: number; letters: number },
  problems: readonly string[],
  samples: readonly Sample[],
): PhaseResult {
  const seconds = Math.round((Date.now() - started) / 1000)
  if (report.duplicatesDropped !== undefined) ctx.progress(`  the resumed run dropped ${report.duplicatesDropped} duplicates`)
  ctx.progress(
    `  ${problems.length === 0 ? 'rebuilt set equal to the ground truth and to the live set' : `${problems.length} problem(s):\n    ${problems.join('\n    ')}`} (${seconds} s)`,
  )
  return {
    name: phaseName(report),
    injected: 1,
    produced: 0,
    bad: 0,
    applied: verified.claims,
    duplicatesDropped: ctx.counters.book.total('aggregator_duplicates_dropped_total'),
    deadLettered: verified.letters,
    problems,
    availability: summarise(samples),
    seconds,
  }
}

/** The table's row: its applied and dead-lettered columns are the rebuilt set's claims and its own topic's letters. */
function phaseName(report: RunReport): string {
  const { atKill, appliedAtKill } = report
  const where =
    atKill === undefined
      ? 'not killed'
      : `SIGKILLed with ${atKill.done} of ${atKill.total} messages committed, ${appliedAtKill ?? '?'} applied; resumed`
  return `rebuild of the log into a second projection set (its claims, its own dead-letter topic): ${where}`
}

/** The names `pnpm run rebuild` derives from the live pipeline's variables. */
function namesOf(env: Environment): RebuildNames {
  const live = (name: string): string => {
    const value = env.pipelineEnv[name]
    if (value === undefined) throw new Error(`the chaos pipeline has no ${name}`)
    return value
  }
  return rebuildNames(SET, {
    groupId: live('KAFKA_GROUP_ID'),
    queuePrefix: live('BULLMQ_PREFIX'),
    deadLetterTopic: live('TOPIC_DEAD_LETTER'),
    transactionalId: live('KAFKA_TRANSACTIONAL_ID'),
  })
}

/**
 * The run's variables: the chaos pipeline's, then what makes the kill meaningful and the resume
 * checkable. Not niced (on a loaded CI machine a niced run starves for minutes; the priority is not
 * what this checks), a shutdown bound that survives that machine, no ops port to collide with
 * (port 0), caught up only at lag 0 (the log no longer grows: caught up means everything read), and
 * a returning fold every 300 ms so the set's figures settle soon after. `paced`: see PACED.
 */
function runEnv(env: Environment, paced: boolean): Record<string, string> {
  return {
    ...env.pipelineEnv,
    ...(paced ? PACED : {}),
    REBUILD_NICE: '0',
    SHUTDOWN_TIMEOUT_MS: '60000',
    REBUILD_OPS_PORT: '0',
    REBUILD_CAUGHT_UP_LAG: '0',
    REBUILD_PROGRESS_INTERVAL_MS: '300',
    AGGREGATOR_RETURNING_FOLD_INTERVAL_MS: '300',
    AGGREGATOR_RETURNING_FOLD_MAX_DEFER_MS: '1000',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  }
}

async function killAndResume(
  ctx: PhaseContext,
  repoRoot: string,
  names: RebuildNames,
  report: RunReport,
  problems: string[],
): Promise<void> {
  const { env } = ctx
  const start = (paced: boolean, label: string): RebuildProcess =>
    startRebuildProcess({ repoRoot, set: SET, env: runEnv(env, paced), logFile: join(env.dir, `${label}.log`) })
  const first = start(true, 'rebuild-1')
  let atKill: Progress
  try {
    await partWay(env, names.groupId, first)
    first.child.kill('SIGKILL')
    const exit = await first.exit
    if (exit.signal !== 'SIGKILL') problems.push(`the first run ended with ${exit.signal ?? `code ${exit.code}`}, not by the SIGKILL`)
    // Read after the death: nothing commits any more, so this is exactly where the kill left the group.
    atKill = progressOf(await readOffsets(env.admin, names.groupId, Object.values(env.topics)))
    report.atKill = atKill
  } finally {
    if (isRunning(first.child)) first.child.kill('SIGKILL')
  }
  const applied = await claimsOfSet(env, names)
  report.appliedAtKill = applied
  if (!/created projection set/.test(first.output())) problems.push(`the first run did not create the set: ${tail(first.output())}`)
  const unique = ctx.truth.result().messages.unique
  if (atKill.done === 0 || atKill.lag === 0 || applied >= unique)
    problems.push(`the kill did not land part-way: ${atKill.done} of ${atKill.total} committed, ${applied} of ${unique} applied`)
  ctx.progress(
    `  SIGKILLed with ${atKill.done} of ${atKill.total} messages committed, ${applied} of ${unique} distinct ones applied; starting it again`,
  )
  const second = start(false, 'rebuild-2')
  try {
    await second.waitForOutput(/caught up/, CAUGHT_UP_TIMEOUT_MS)
    if (!/resuming projection set/.test(second.output())) problems.push(`the second run did not resume the set: ${tail(second.output())}`)
    await foldsDone(env, names, FOLDED_TIMEOUT_MS)
    const duplicatesDropped = await scrapeDuplicates(second.output())
    if (duplicatesDropped !== undefined) report.duplicatesDropped = duplicatesDropped
    const exit = await stopChild(second.child, STOP_GRACE_MS)
    if (exit?.code !== 0) problems.push(`the resumed run did not stop cleanly on SIGTERM (code ${exit?.code}, signal ${exit?.signal})`)
  } finally {
    if (isRunning(second.child)) second.child.kill('SIGKILL')
  }
}

/** Polls the group's committed progress until some of the log is done: applied or dead-lettered, committed. */
async function partWay(env: Environment, groupId: string, run: RebuildProcess): Promise<void> {
  const deadline = Date.now() + PART_WAY_TIMEOUT_MS
  for (;;) {
    if (!isRunning(run.child)) throw new Error(`the first run exited before it was part-way: ${tail(run.output())}`)
    const progress = progressOf(await readOffsets(env.admin, groupId, Object.values(env.topics)))
    if (progress.total > 0 && progress.done > 0) return
    if (Date.now() > deadline) throw new Error(`the first run committed ${progress.done} of ${progress.total} in ${PART_WAY_TIMEOUT_MS} ms`)
    await sleep(50)
  }
}

/** What the resumed run's aggregator dropped as already applied (its /metrics; the killed run's count died with it). */
async function scrapeDuplicates(output: string): Promise<number | undefined> {
  const port = /progress on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(output)?.[1]
  if (port === undefined) return undefined
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined)
  return response?.ok === true ? metricSum(await response.text(), 'aggregator_duplicates_dropped_total') : undefined
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
