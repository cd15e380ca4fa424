/** The one-shot commands, each writing what an operator reads to `out`. */
import { setTimeout as sleep } from 'node:timers/promises'
import {
  adoptProviderMetrics,
  compareProjectionSets,
  createProjectionSet,
  dropProjectionSet,
  listProjectionSets,
  readLiveSet,
} from '@event-analytics/db'
import type { ToolContext } from './context.js'
import { readOffsets, readRetention } from './kafka.js'
import { pipelineEnvironment, rebuildNames, type DeadLetterTarget } from './naming.js'
import { RateEstimator, grouped, partitionLines, progressLine, progressOf } from './progress.js'
import { formatComparison } from './report.js'
import { retentionLines } from './retention.js'
import { groupOf, rollbackTarget, switchAndInvalidate, switchRefusal } from './switch.js'

export type Out = (line: string) => void

/** How long `status` watches the offsets move before it estimates the rate. */
const STATUS_SAMPLE_MS = 2000

export async function listCommand(context: ToolContext, out: Out): Promise<void> {
  for (const set of await listProjectionSets(context.db)) {
    const lag = progressOf(await readOffsets(context.admin, groupOf(set.name, context.live), context.topics)).lag
    out(
      `${set.live ? '*' : ' '} ${set.name.padEnd(28)} ${set.state.padEnd(9)} created ${set.createdAt.toISOString()}` +
        `  switched ${set.switchedAt?.toISOString() ?? '-'}  group ${groupOf(set.name, context.live)} lag ${grouped(lag)}`,
    )
  }
  out('(* = live: the set the API reads)')
}

export async function statusCommand(context: ToolContext, set: string, out: Out): Promise<void> {
  const group = groupOf(set, context.live)
  // Two readings STATUS_SAMPLE_MS apart give the rate, and from it the time left.
  const estimator = new RateEstimator()
  const first = progressOf(await readOffsets(context.admin, group, context.topics))
  estimator.add(Date.now(), first.done)
  await sleep(STATUS_SAMPLE_MS)
  const progress = progressOf(await readOffsets(context.admin, group, context.topics))
  estimator.add(Date.now(), progress.done)
  const liveLag = progressOf(await readOffsets(context.admin, groupOf(await readLiveSet(context.db), context.live), context.topics)).lag
  out(`set ${set}, group ${group} (live group lag: ${grouped(liveLag)})`)
  out(progressLine(progress, estimator.rate(), estimator.etaSeconds(progress.lag)))
  for (const line of partitionLines(progress)) out(line)
  out('retention:')
  for (const line of retentionLines(await readRetention(context.admin, context.topics), progress)) out(line)
}

export async function compareCommand(
  context: ToolContext,
  set: string,
  options: { json: boolean; maxEvents?: number },
  out: Out,
): Promise<number> {
  const live = await readLiveSet(context.db)
  if (live === set) throw new Error(`"${set}" is the live set: name the other one`)
  // Provider metrics are not in the log: carried over first, so they do not show as differences.
  await adoptProviderMetrics(context.db, live, set)
  const report = await compareProjectionSets(context.db, live, set)
  out(
    options.json
      ? JSON.stringify(report, null, 2)
      : formatComparison(report, options.maxEvents === undefined ? {} : { maxEvents: options.maxEvents }),
  )
  return report.differences.length
}

export async function switchCommand(context: ToolContext, to: string | undefined, force: boolean, out: Out): Promise<void> {
  const target = to ?? (await rollbackTarget(context.db))
  if (target === undefined) throw new Error('no set to roll back to (none was switched away from and kept)')
  const deps = {
    db: context.db,
    cache: context.cache(),
    changesChannel: context.changesChannel,
    admin: context.admin,
    live: context.live,
    topics: context.topics,
    caughtUpLag: context.config.REBUILD_CAUGHT_UP_LAG,
  }
  const refusal = await switchRefusal(deps, target)
  if (refusal !== undefined && !force) throw new Error(`not switched: ${refusal} (--force switches anyway)`)
  if (refusal !== undefined) out(`switching despite: ${refusal}`)
  const result = await switchAndInvalidate(deps, target)
  out(`switched: the API reads "${result.to}" from its next transaction on (was "${result.from}", kept for a rollback).`)
  out(
    `provider metrics carried over for ${grouped(result.adoptedChannels)} channels; caches of ${grouped(result.events.length)} events dropped and announced.`,
  )
  out(`roll back with: pnpm run rebuild rollback   (switches to "${result.from}" the same way)`)
}

export async function dropCommand(context: ToolContext, set: string, force: boolean, out: Out): Promise<void> {
  const group = groupOf(set, context.live)
  const [description] = (await context.admin.describeGroups([group])).groups
  if (description !== undefined && description.members.length > 0 && !force) {
    throw new Error(
      `a pipeline still writes "${set}" (group ${group} has ${description.members.length} members): stop it first (--force drops anyway)`,
    )
  }
  await dropProjectionSet(context.db, set)
  const deleted = await context.admin.deleteGroups([group]).then(
    () => 'and its consumer group',
    (error: unknown) => `; consumer group ${group} not deleted (${String(error)}: it never committed, or a member still runs)`,
  )
  out(`dropped set ${set} ${deleted}`)
}

export function envCommand(context: ToolContext, set: string, deadLetters: DeadLetterTarget, out: Out): void {
  for (const [name, value] of Object.entries(pipelineEnvironment(rebuildNames(set, context.live, deadLetters)))) out(`${name}=${value}`)
}

export async function createCommand(context: ToolContext, set: string, out: Out): Promise<void> {
  await createProjectionSet(context.db, context.databaseUrl, set, { note: 'created by pnpm run rebuild create' })
  out(`created projection set ${set}; its pipeline's variables: pnpm run rebuild env ${set}`)
}
