/**
 * One fault run: the phase's bad messages and its slice of the scenario are produced while
 * the fault strikes and the services are polled; then the pipeline must settle and every
 * table, every API figure and the dead-letter topic must equal the truth so far.
 */
import type { DomainEvent, DomainEventKind } from '@event-analytics/contracts'
import { countClaimedMessages, type Database } from '@event-analytics/db'
import { auditTopics } from '@event-analytics/ingest-worker'
import type { GroundTruthBuilder, Random } from '@event-analytics/simulator'
import type { Kysely } from 'kysely'
import type { BadMessage, BadMessageFactory } from './bad-messages.js'
import { checkAlerts } from './alerts.js'
import { checkWebhooks } from './webhooks.js'
import { checkDeadLetters, readDeadLetters, type DeadLetter, type DeadLetterReport } from './dead-letters.js'
import type { Environment } from './environment.js'
import type { Fault } from './faults.js'
import type { CounterBook } from './metrics.js'
import { startPolling, summarise, type ProbeTarget, type Sample } from './probe.js'
import type { PhaseResult } from './summary.js'
import { compareApi, compareTables, type ApiGet } from './verify.js'
import { produce, waitUntilIdle } from './watch.js'

export interface PhaseSpec {
  readonly name: string
  readonly events: readonly DomainEvent[]
  readonly badCount: number
  readonly fault: Fault
  /** Probe target -> dependency its /ready must name at least once during the fault. */
  readonly mustName?: Readonly<Record<string, string>>
  /**
   * Before anything of the phase is produced: drain the pipeline, then give the services a fresh
   * Kafka (new data directory) with the same PostgreSQL and Redis. The phase's messages then sit
   * at offsets the pipeline has already settled once.
   */
  readonly replacesKafka?: boolean
}

export interface PhaseContext {
  readonly env: Environment
  readonly random: Random
  readonly truth: GroundTruthBuilder
  readonly bad: BadMessageFactory
  readonly sentBad: BadMessage[]
  readonly counters: { scrape(): Promise<void>; book: CounterBook }
  readonly api: ApiGet
  readonly targets: () => Promise<ProbeTarget[]>
  readonly progress: (line: string) => void
  /** Dead letters a replaced Kafka held: the verdict still counts them. */
  readonly formerDeadLetters: DeadLetter[]
}

export async function runPhase(spec: PhaseSpec, ctx: PhaseContext): Promise<PhaseResult> {
  const started = Date.now()
  const { env } = ctx
  ctx.progress(`▶ ${spec.name}`)
  const bad = await ctx.bad.next(spec.badCount)
  const half = Math.ceil(bad.length / 2)
  if (spec.replacesKafka === true) await replaceKafka(ctx)
  const poller = startPolling(await ctx.targets())
  await sendBad(env, bad.slice(0, half), ctx.sentBad)
  const producing = produce(env, ctx.truth, spec.events)
  producing.catch(() => undefined)
  const outcome = await spec.fault(env, ctx.random)
  await producing
  const samples = await poller.stop()
  await sendBad(env, bad.slice(half), ctx.sentBad)
  const problems = [...outcome.problems, ...availabilityProblems(samples, spec.mustName ?? {})]
  for (const note of outcome.notes) ctx.progress(`  ${note}`)
  // A pipeline that never settles (e.g. a consumer that stopped for good) is a finding, not a crash of the suite.
  await waitUntilIdle(env).catch((error: unknown) =>
    problems.push(`pipeline did not settle: ${error instanceof Error ? error.message : String(error)}`),
  )
  const letters = await verify(ctx, problems)
  await ctx.counters.scrape()
  const result: PhaseResult = {
    name: spec.name,
    injected: outcome.injected + (spec.replacesKafka === true ? 1 : 0),
    produced: spec.events.length,
    bad: bad.length,
    // Claims are exact (one per applied message, committed with its effects); counters of a killed process are not.
    applied: await countClaimedMessages(env.db),
    duplicatesDropped: ctx.counters.book.total('aggregator_duplicates_dropped_total'),
    deadLettered: letters.received,
    problems,
    availability: summarise(samples),
    seconds: Math.round((Date.now() - started) / 1000),
  }
  ctx.progress(
    `  ${problems.length === 0 ? 'equal to the ground truth' : `${problems.length} problem(s):\n    ${problems.join('\n    ')}`} (${result.seconds} s)`,
  )
  return result
}

/** Drains, keeps the old Kafka's dead letters for the verdict, then swaps the broker for a fresh one. */
async function replaceKafka(ctx: PhaseContext): Promise<void> {
  await waitUntilIdle(ctx.env)
  const letters = await readDeadLetters(ctx.env.kafkaClient, ctx.env.deadLetterTopic)
  ctx.formerDeadLetters.push(...letters)
  ctx.progress(`  draining done; ${letters.length} dead letters kept from the old Kafka; starting a fresh one on the same port`)
  await ctx.env.replaceKafka()
}

async function sendBad(env: Environment, bad: readonly BadMessage[], sent: BadMessage[]): Promise<void> {
  for (const message of bad) {
    await env.producer.sendRaw(message.topic, [{ key: message.key, value: message.value }])
    sent.push(message)
  }
}

/** Tables, API, dead letters and failed jobs against the truth so far; problems are appended. */
export async function verify(ctx: PhaseContext, problems: string[]): Promise<DeadLetterReport> {
  const truth = ctx.truth.result()
  const claims = await countClaimedMessages(ctx.env.db)
  if (claims !== truth.messages.unique) problems.push(`${claims} messages applied, ${truth.messages.unique} unique messages produced`)
  for (const mismatch of await compareTables(ctx.env.db, truth)) problems.push(`${mismatch.what}: ${mismatch.detail}`)
  for (const mismatch of (await compareApi(ctx.api, truth)).mismatches) problems.push(`${mismatch.what}: ${mismatch.detail}`)
  const failed = (await ctx.env.queue.getJobCounts('failed'))['failed'] ?? 0
  if (failed > 0) problems.push(`${failed} failed job(s) in the queue`)
  const current = await readDeadLetters(ctx.env.kafkaClient, ctx.env.deadLetterTopic)
  const report = checkDeadLetters(ctx.sentBad, [...ctx.formerDeadLetters, ...current])
  if (report.missing.length > 0) problems.push(`bad messages not dead-lettered: ${report.missing.join(', ')}`)
  if (report.duplicated.length > 0) problems.push(`dead-lettered more than once: ${report.duplicated.join(', ')}`)
  if (report.wrongCode.length > 0) problems.push(`wrong dead-letter code: ${report.wrongCode.join('; ')}`)
  if (report.unexpected.length > 0)
    problems.push(
      `unexpected dead letters: ${report.unexpected
        .slice(0, 5)
        .map((l) => `${l.key} ${l.code} ${l.reason}`)
        .join('; ')}`,
    )
  if (report.withoutReason.length > 0) problems.push(`dead letters without a reason: ${report.withoutReason.join(', ')}`)
  problems.push(...(await auditProblems(ctx.env).catch((error: unknown) => [`audit could not run: ${String(error)}`])))
  const alerts = await checkAlerts(
    ctx.env.db,
    truth.events.map((event) => event.eventId),
  ).catch((error: unknown) => ({ problems: [`alert check could not run: ${String(error)}`], note: '' }))
  problems.push(...alerts.problems)
  if (alerts.note !== '') ctx.progress(`  ${alerts.note}`)
  const webhooks = await checkWebhooks(ctx.env).catch((error: unknown) => ({
    problems: [`webhook check could not run: ${String(error)}`],
    note: '',
  }))
  problems.push(...webhooks.problems)
  if (webhooks.note !== '') ctx.progress(`  ${webhooks.note}`)
  return report
}

/** The projection set an audit checks: the live one by default, or a rebuild's (its database, group and dead-letter topic). */
export interface AuditTarget {
  readonly db: Kysely<Database>
  readonly groupId: string
  readonly deadLetterTopic: string
}

/** What `pnpm audit:topics` would say: every message the current Kafka holds applied or dead-lettered, once. */
export async function auditProblems(env: Environment, target: AuditTarget = env): Promise<string[]> {
  const audits = await auditTopics({
    kafka: env.kafkaClient,
    registry: env.registry,
    db: target.db,
    groupId: target.groupId,
    topics: new Map(Object.entries(env.topics).map(([kind, topic]) => [topic, kind as DomainEventKind])),
    deadLetterTopic: target.deadLetterTopic,
  })
  const problems = audits.flatMap((audit) => [
    ...audit.missing.map(
      (m) =>
        `audit: ${audit.topic} [${audit.partition}] offset ${m.offset} (${m.messageId ?? 'undecodable'}) neither applied nor dead-lettered`,
    ),
    ...audit.inBoth.map((m) => `audit: ${audit.topic} [${audit.partition}] offset ${m.offset} applied and dead-lettered`),
  ])
  const inFlight = audits.reduce((sum, audit) => sum + audit.inFlight, 0)
  if (inFlight > 0) problems.push(`audit: ${inFlight} message(s) still in flight after the pipeline settled`)
  return problems
}

/** Hangs, crashes of the API, 5xx other than 503, 503s naming nothing, and the dependency each /ready had to name. */
export function availabilityProblems(samples: readonly Sample[], mustName: Readonly<Record<string, string>>): string[] {
  const problems: string[] = []
  const hangs = samples.filter((s) => s.outcome === 'timeout')
  if (hangs.length > 0) problems.push(`client timeouts (hangs): ${[...new Set(hangs.map((s) => s.target))].join(', ')} x${hangs.length}`)
  const apiDown = samples.filter((s) => s.target.startsWith('api') && s.outcome === 'refused')
  if (apiDown.length > 0) problems.push(`query API refused connections ${apiDown.length} time(s)`)
  const errors = samples.filter((s) => typeof s.outcome === 'number' && s.outcome >= 500 && s.outcome !== 503)
  if (errors.length > 0)
    problems.push(
      `5xx other than 503: ${errors
        .map((s) => `${s.target} ${s.outcome}`)
        .slice(0, 5)
        .join(', ')}`,
    )
  const silent = samples.filter((s) => s.outcome === 503 && s.failing !== undefined && s.failing.length === 0)
  if (silent.length > 0) problems.push(`/ready answered 503 without naming a dependency (${silent[0]!.target})`)
  for (const [target, dependency] of Object.entries(mustName)) {
    if (!samples.some((s) => s.target === target && (s.failing ?? []).includes(dependency)))
      problems.push(`${target} never named ${dependency} as failing`)
  }
  return problems
}
