/** The whole suite: environment, the fault runs in order, the fuzz pass, the report. */
import { setTimeout as sleep } from 'node:timers/promises'
import { createGroundTruth, createRandom, scenarioEvents } from '@event-analytics/simulator'
import type { DomainEvent } from '@event-analytics/contracts'
import { createWebhookEndpoint, DEFAULT_ALERT_THRESHOLDS, writeAlertSettings } from '@event-analytics/db'
import { signDevToken } from '@event-analytics/query-api'
import { badMessageFactory, type BadMessage } from './bad-messages.js'
import type { ChaosConfig } from './config.js'
import { JWT_SECRET, startEnvironment, type Environment } from './environment.js'
import {
  flushAll,
  kafkaRestart,
  noFault,
  postgresRestart,
  redisLossWhileBusy,
  redisLossWhileQueued,
  scaleIngest,
  sigkill,
} from './faults.js'
import { Redis } from 'ioredis'
import { evictingRedisRefused } from './refusal.js'
import { timelineHammerRun } from './timeline-hammer.js'
import { extremeEvents, interleave } from './extremes.js'
import { fuzzRequests, hostileAuthorizations, runFuzz } from './fuzz.js'

import { counterBook } from './metrics.js'
import { runPhase, type PhaseContext, type PhaseSpec } from './phases.js'
import { rebuildPhase } from './rebuild-phase.js'
import type { ProbeTarget } from './probe.js'
import { checkResult, type ChaosReport, type PhaseResult } from './summary.js'
import { compareApi } from './verify.js'
import { apiClient } from './watch.js'

const HOUR_MS = 3_600_000
const COUNTERS = ['aggregator_messages_applied_total', 'aggregator_duplicates_dropped_total'] as const

export async function runChaos(
  repoRoot: string,
  config: ChaosConfig,
  progress: (line: string) => void,
): Promise<{ report: ChaosReport; env: Environment }> {
  const started = Date.now()
  const env = await startEnvironment(repoRoot, config, progress)
  try {
    return { report: await faultRuns(repoRoot, env, config, progress, started), env }
  } catch (error) {
    await env.close()
    throw error
  }
}

/**
 * Every owner of the scenario gets touchy alert thresholds (so the faults meet alerts opening and
 * resolving, not a quiet store) and a webhook endpoint at the suite's receiver.
 */
async function watchOwners(env: Environment, stream: readonly DomainEvent[]): Promise<void> {
  const owners = new Set(stream.flatMap((event) => (event.kind === 'EventCreated' ? [event.userId] : [])))
  for (const userId of owners) {
    await writeAlertSettings(env.db, userId, {
      ...DEFAULT_ALERT_THRESHOLDS,
      channel_silent_hours: 1,
      channel_cost_factor: '1.00',
      pace_ratio: '1.00',
    })
    await createWebhookEndpoint(env.db, { userId, url: env.receiver.url, secret: env.webhookSecret })
  }
}

function slices<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts)
  return Array.from({ length: parts }, (_, index) => items.slice(index * size, (index + 1) * size))
}

async function faultRuns(
  repoRoot: string,
  env: Environment,
  config: ChaosConfig,
  progress: (line: string) => void,
  started: number,
): Promise<ChaosReport> {
  const random = createRandom(config.CHAOS_SEED)
  const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 24 * HOUR_MS
  const stream = [
    ...scenarioEvents({
      seed: config.CHAOS_SEED,
      start,
      idPrefix: env.run,
      owners: 2,
      eventsPerOwner: 2,
      participants: config.CHAOS_PARTICIPANTS,
      spanHours: 24,
    }),
  ]
  await watchOwners(env, stream)
  const truth = createGroundTruth()
  const client = apiClient(env)
  const book = counterBook(COUNTERS)
  const scrape = async (): Promise<void> => {
    const pid = env.aggregator.pid
    if (pid === undefined) return
    const response = await fetch(`${env.aggregator.opsUrl}/metrics`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined)
    if (response?.ok === true) book.record(pid, await response.text())
  }
  let scraping = true
  const scraper = (async () => {
    while (scraping) {
      await scrape().catch(() => undefined)
      await sleep(400)
    }
  })()
  const sentBad: BadMessage[] = []
  const ctx: PhaseContext = {
    env,
    random,
    truth,
    bad: badMessageFactory(env.producer, env.run),
    sentBad,
    counters: { scrape, book },
    api: client.get,
    progress,
    formerDeadLetters: [],
    targets: () =>
      probeTargets(
        env,
        truth.result().events.find((e) => e.visible),
        client.token,
      ),
  }
  const [a, b, c, d, e, f, g, h, k, c2] = slices(stream, 10)
  const owner = stream.find((event) => event.kind === 'EventCreated' && 'userId' in event)
  if (owner === undefined || !('userId' in owner)) throw new Error('the scenario has no EventCreated')
  const phases: PhaseSpec[] = [
    { name: 'SIGKILL ingest worker x3', events: a!, badCount: 8, fault: sigkill((x) => x.ingest, 3) },
    { name: 'SIGKILL aggregator x3', events: b!, badCount: 8, fault: sigkill((x) => x.aggregator, 3) },
    {
      name: 'Redis (no persistence) SIGKILLed, restarted empty, jobs queued',
      events: c!,
      badCount: 8,
      fault: redisLossWhileQueued,
      mustName: { 'api-ready': 'cache', 'ingest-ready': 'queue' },
    },
    { name: 'Redis (no persistence) SIGKILLed x2 while the aggregator is busy', events: d!, badCount: 8, fault: redisLossWhileBusy(2) },
    { name: 'FLUSHALL x2 mid-stream', events: e!, badCount: 8, fault: flushAll(2) },
    { name: 'ingest workers scaled 1 -> 3 -> 1', events: f!, badCount: 8, fault: scaleIngest },
    {
      name: 'PostgreSQL restart x2 mid-batch',
      events: g!,
      badCount: 8,
      fault: postgresRestart(2),
      mustName: { 'api-ready': 'postgres', 'aggregator-ready': 'postgres' },
    },
    { name: 'Kafka broker restart', events: h!, badCount: 8, fault: kafkaRestart, mustName: { 'ingest-ready': 'kafka' } },
    {
      name: 'largest valid sums among normal traffic',
      events: interleave(c2!, extremeEvents(env.run, start + HOUR_MS, owner.userId)),
      badCount: 4,
      fault: noFault,
    },
  ]
  // After the rebuild: everything before a Kafka replacement is gone from the log a rebuild reads.
  const afterRebuild: PhaseSpec[] = [
    {
      name: 'Kafka replaced by a fresh one (new data directory), same PostgreSQL and Redis: new messages at settled offsets',
      events: k!,
      badCount: 8,
      fault: noFault,
      replacesKafka: true,
    },
  ]
  const results: PhaseResult[] = []
  try {
    for (const phase of phases) results.push(await runPhase(phase, ctx))
    // The log still holds every message of the runs above (rebuild-phase.ts says why it runs here).
    results.push(await rebuildPhase(ctx, repoRoot))
    for (const phase of afterRebuild) results.push(await runPhase(phase, ctx))
  } finally {
    scraping = false
    await scraper
  }
  results.push(await evictingRedisRefused(repoRoot, env, config, progress))
  const hammered = truth.result().events.find((event) => event.visible && event.userId !== null)
  if (hammered?.userId != null) {
    const redis = new Redis(env.redis.url)
    try {
      results.push(
        await timelineHammerRun(
          {
            apiBaseUrl: `http://127.0.0.1:${env.apiPort}`,
            token: await client.token(hammered.userId),
            eventId: hammered.eventId,
            redis,
            requests: 500,
            limits: { maxBytes: 1_048_576, maxFields: 256 },
          },
          progress,
        ),
      )
    } finally {
      redis.disconnect()
    }
  }
  const fuzz = config.CHAOS_FUZZ_REQUESTS === 0 ? null : await fuzzPass(env, config, truth.result(), client, results, progress)
  return {
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    phases: results,
    truth: truth.result().messages,
    fuzz,
    unexpectedExits: env.unexpectedExits.map((x) => `${x.service} (code ${x.exit.code}, signal ${x.exit.signal})`),
  }
}

async function probeTargets(
  env: Environment,
  event: { eventId: string; userId: string | null } | undefined,
  token: (sub: string) => Promise<string>,
): Promise<ProbeTarget[]> {
  const targets: ProbeTarget[] = [
    { name: 'api-ready', url: `http://127.0.0.1:${env.apiPort}/ready`, readiness: true },
    { name: 'ingest-ready', url: `${env.ingest.opsUrl}/ready`, readiness: true },
    { name: 'aggregator-ready', url: `${env.aggregator.opsUrl}/ready`, readiness: true },
  ]
  if (event?.userId != null) {
    targets.push({
      name: 'api-dashboard',
      url: `http://127.0.0.1:${env.apiPort}/api/v1/events/${event.eventId}/analytics`,
      headers: { authorization: `Bearer ${await token(event.userId)}` },
      readiness: false,
    })
  }
  return targets
}

type Truth = ReturnType<ReturnType<typeof createGroundTruth>['result']>

async function fuzzPass(
  env: Environment,
  config: ChaosConfig,
  truth: Truth,
  client: ReturnType<typeof apiClient>,
  results: PhaseResult[],
  progress: (line: string) => void,
) {
  progress(`▶ API fuzz: ${config.CHAOS_FUZZ_REQUESTS} requests`)
  const owners = truth.owners.map((o) => o.userId)
  const valid = [
    ...(await Promise.all(owners.map((sub) => client.token(sub)))),
    await client.token('chaos-operator', true),
    await client.token('stranger'),
  ]
  const expired = await signDevToken(JWT_SECRET, { sub: owners[0] ?? 'x', ttlSeconds: -60 })
  const forged = await signDevToken('another-secret-0123456789-0123456789-xx', { sub: owners[0] ?? 'x', operator: true })
  const requests = fuzzRequests(createRandom(config.CHAOS_SEED + 1), config.CHAOS_FUZZ_REQUESTS, {
    eventIds: truth.events.map((e) => e.eventId),
    userIds: owners,
    channelNames: [...new Set(truth.channels.map((c) => c.channelName))],
    tokens: { valid, hostile: hostileAuthorizations(expired, forged) },
  })
  const result = await runFuzz(env.apiPort, requests)
  // The fuzz must not have poisoned the cache: the API still equals the truth.
  const after = await compareApi(client.get, truth)
  const problems = [
    ...result.serverErrors.slice(0, 10).map((line) => `5xx: ${line}`),
    ...result.timeouts.slice(0, 10).map((line) => `timeout: ${line}`),
    ...result.contractViolations.slice(0, 10).map((line) => `error contract: ${line}`),
    ...after.mismatches.map((m) => `after fuzz ${m.what}: ${m.detail}`),
  ]
  results.push(checkResult(`API fuzz (${result.sent} requests)`, 0, problems, null))
  progress(
    `  ${result.sent} sent (${result.unsendable} refused by the HTTP client), ${result.serverErrors.length} 5xx, ${result.timeouts.length} timeouts, ${result.contractViolations.length} error-contract violations ${JSON.stringify(result.byClass)}`,
  )
  return {
    sent: result.sent,
    serverErrors: result.serverErrors.length,
    timeouts: result.timeouts.length,
    contractViolations: result.contractViolations.length,
    byClass: result.byClass,
  }
}
