/**
 * What the rebuild phase checks of the set a rebuild filled, and how it leaves nothing behind. The
 * checks append problems (never throw for a difference), like the fault runs' (phases.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { closeDb, compareProjectionSets, countClaimedMessages, createDb, dropProjectionSet, PUBLIC_SET } from '@event-analytics/db'
import type { RebuildNames } from '@event-analytics/rebuild'
import type { GroundTruth } from '@event-analytics/simulator'
import type { Queue } from 'bullmq'
import type { BadMessage } from './bad-messages.js'
import { checkRebuildDeadLetters, readDeadLetters, type DeadLetter } from './dead-letters.js'
import type { Environment } from './environment.js'
import { auditProblems } from './phases.js'
import { compareTables } from './verify.js'

/** Messages `names.set` has claimed (applied). */
export async function claimsOfSet(env: Environment, names: RebuildNames): Promise<number> {
  const setDb = createDb(env.postgres.url, { poolSize: 1, applicationName: 'chaos-rebuild', projectionSet: names.set })
  try {
    return await countClaimedMessages(setDb)
  } finally {
    await closeDb(setDb)
  }
}

/** Waits until both sets' registration logs are folded into the returning figures, which the set comparison includes. */
export async function foldsDone(env: Environment, names: RebuildNames, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { unfoldedBefore, unfoldedAfter } = await compareProjectionSets(env.db, PUBLIC_SET, names.set)
    if (unfoldedBefore === 0 && unfoldedAfter === 0) return
    if (Date.now() > deadline) throw new Error(`registrations still unfolded: live ${unfoldedBefore}, rebuilt ${unfoldedAfter}`)
    await sleep(200)
  }
}

export interface SetCheck {
  readonly env: Environment
  readonly names: RebuildNames
  /** Everything produced so far: all of it in the log the rebuild read. */
  readonly truth: GroundTruth
  readonly sentBad: readonly BadMessage[]
  /** The rebuild's BullMQ queue. */
  readonly queue: Queue
  /** The live dead-letter topic before the rebuild started. */
  readonly liveLettersBefore: readonly DeadLetter[]
}

/**
 * The rebuilt set against the truth (tables, one claim per distinct message) and against the live
 * set, its topic audit, its queue's failed jobs and its dead letters; problems are appended.
 */
export async function verifySet(check: SetCheck, problems: string[]): Promise<{ claims: number; letters: number }> {
  const { env, names } = check
  const claims = await checkSetTables(env, names, check.truth, problems)
  const failed = (await check.queue.getJobCounts('failed'))['failed'] ?? 0
  if (failed > 0) problems.push(`${failed} failed job(s) in the rebuild's queue`)
  const letters = await readDeadLetters(env.kafkaClient, names.deadLetterTopic)
  const liveAfter = await readDeadLetters(env.kafkaClient, env.deadLetterTopic)
  problems.push(...checkRebuildDeadLetters(check.sentBad, letters, { before: check.liveLettersBefore, after: liveAfter }, names.set))
  return { claims, letters: letters.length }
}

/** The set's claims, tables, comparison with the live set and topic audit; returns its claims. */
async function checkSetTables(env: Environment, names: RebuildNames, truth: GroundTruth, problems: string[]): Promise<number> {
  const setDb = createDb(env.postgres.url, { poolSize: 2, applicationName: 'chaos-rebuild', projectionSet: names.set })
  try {
    const claims = await countClaimedMessages(setDb)
    if (claims !== truth.messages.unique)
      problems.push(`rebuilt set: ${claims} messages claimed, ${truth.messages.unique} distinct in the log`)
    for (const mismatch of await compareTables(setDb, truth)) problems.push(`rebuilt set, ${mismatch.what}: ${mismatch.detail}`)
    problems.push(...(await liveDifferences(env, names.set)))
    const audit = { db: setDb, groupId: names.groupId, deadLetterTopic: names.deadLetterTopic }
    for (const problem of await auditProblems(env, audit).catch((error: unknown) => [`audit could not run: ${String(error)}`]))
      problems.push(`rebuilt set, ${problem}`)
    return claims
  } finally {
    await closeDb(setDb)
  }
}

/** `pnpm run rebuild compare`'s answer, the live set against `set`: one problem per differing event (the first five). */
async function liveDifferences(env: Environment, set: string): Promise<string[]> {
  const { differences } = await compareProjectionSets(env.db, PUBLIC_SET, set)
  const problems = differences.slice(0, 5).map((difference) => {
    const fields = difference.fields.map((f) => `${f.field} ${f.before} -> ${f.after}`).join(', ')
    return `live vs rebuilt: event ${difference.eventId} ${difference.kind}${fields === '' ? '' : `: ${fields}`}`
  })
  if (differences.length > 5) problems.push(`live vs rebuilt: ${differences.length - 5} more events differ`)
  return problems
}

/**
 * Leaves nothing of the rebuild behind — the set, its group, its dead-letter topic, its queue — so
 * the later phases' checks, and this phase run again, start clean; a step that fails is a problem.
 */
export async function cleanUp(env: Environment, names: RebuildNames, queue: Queue, problems: string[]): Promise<void> {
  const steps: readonly (readonly [string, () => Promise<unknown>])[] = [
    ['drop the set', () => dropProjectionSet(env.db, names.set)],
    ['delete the group', () => env.admin.deleteGroups([names.groupId])],
    ['delete the dead-letter topic', () => env.admin.deleteTopics({ topics: [names.deadLetterTopic] })],
    ["remove the rebuild's queue", () => queue.obliterate({ force: true })],
  ]
  for (const [what, step] of steps) await step().catch((error: unknown) => problems.push(`clean-up: could not ${what}: ${String(error)}`))
}
