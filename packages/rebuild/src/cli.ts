/**
 * `pnpm run rebuild <command>`: rebuild the projections from the Kafka log into a second set beside the
 * live one, compare, switch, roll back (docs/rebuild.md). Reads the same environment as the services.
 */
import { setPriority } from 'node:os'
import { parseArgs } from 'node:util'
import { rebuildSetName } from '@event-analytics/db'
import { createLogger, runService } from '@event-analytics/ops'
import { compareCommand, createCommand, dropCommand, envCommand, listCommand, statusCommand, switchCommand, type Out } from './commands.js'
import { loadRebuildConfig } from './config.js'
import { openContext } from './context.js'
import type { DeadLetterTarget } from './naming.js'
import { grouped, partitionLines, progressLine } from './progress.js'
import { retentionLines } from './retention.js'
import { startRebuild, type RebuildRun } from './run.js'
import type { ProgressSample } from './watch.js'

const USAGE = `usage: pnpm run rebuild <command>
  run [--set NAME] [--from TIME] [--dead-letters rebuild|live]
                        create the set (default rebuild_<date>_<time>) or resume it, fill it from the
                        earliest retained offset (or TIME), show progress, keep following the topics
  create SET            create an empty set (for a pipeline run as services: see env)
  status SET            progress, rate and time left, lag per partition, retention
  list                  every set, the live one marked, each group's lag
  compare SET [--json] [--max-events N]
                        every event whose figures differ between the live set and SET
  switch SET [--force]  the API reads SET from its next transaction on; caches dropped and announced
  rollback [--force]    switch back to the set switched away from last
  env SET [--dead-letters rebuild|live]
                        the variables that make a deployment's ingest worker and aggregator write SET
  drop SET [--force]    drop a set that is not live and that no pipeline writes, and its consumer group`

const out: Out = (line) => process.stdout.write(`${line}\n`)

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      set: { type: 'string' },
      from: { type: 'string' },
      'dead-letters': { type: 'string', default: 'rebuild' },
      json: { type: 'boolean', default: false },
      'max-events': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  })
  const [command, argument] = positionals
  const deadLetters = values['dead-letters']
  if (deadLetters !== 'rebuild' && deadLetters !== 'live') throw new Error('--dead-letters is rebuild or live')
  if (command === 'run') {
    await run(values.set ?? argument ?? rebuildSetName(new Date()), values.from, deadLetters)
    return 0
  }
  if (command === undefined || !['create', 'status', 'list', 'compare', 'switch', 'rollback', 'env', 'drop'].includes(command)) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  const set = values.set ?? argument
  const needsSet = command !== 'list' && command !== 'rollback'
  if (needsSet && set === undefined) throw new Error(`${command} needs a set name`)
  const context = await openContext()
  try {
    if (command === 'list') await listCommand(context, out)
    else if (command === 'create') await createCommand(context, set as string, out)
    else if (command === 'status') await statusCommand(context, set as string, out)
    else if (command === 'compare') {
      const maxEvents = values['max-events'] === undefined ? 50 : Number(values['max-events'])
      await compareCommand(context, set as string, { json: values.json, maxEvents }, out)
    } else if (command === 'switch') await switchCommand(context, set as string, values.force, out)
    else if (command === 'rollback') await switchCommand(context, undefined, values.force, out)
    else if (command === 'env') envCommand(context, set as string, deadLetters, out)
    else await dropCommand(context, set as string, values.force, out)
  } finally {
    await context.close()
  }
  return 0
}

async function run(set: string, from: string | undefined, deadLetters: DeadLetterTarget): Promise<void> {
  const fromTime = from === undefined ? undefined : new Date(from)
  if (fromTime !== undefined && Number.isNaN(fromTime.getTime())) throw new Error(`--from: not a time: ${from}`)
  const logger = createLogger('rebuild', 'warn')
  const tty = process.stderr.isTTY
  let lastLine = 0
  const draw = (sample: ProgressSample): void => {
    const line = `${progressLine(sample.progress, sample.rate, sample.etaSeconds)}${sample.caughtUp ? '  caught up' : ''}`
    if (tty) process.stderr.write(`\r${line}\u001b[K`)
    else if (Date.now() - lastLine >= 10_000) {
      lastLine = Date.now()
      process.stderr.write(`${line}\n`)
    }
  }
  // The live pipeline first when CPU is short: a rebuild may take longer, the dashboards must not.
  const config = loadRebuildConfig()
  setPriority(config.REBUILD_NICE)
  let started: RebuildRun | undefined
  await runService(
    {
      start: async () => {
        started = await startRebuild({ set, ...(fromTime === undefined ? {} : { from: fromTime }), deadLetters, logger, onProgress: draw })
        out(
          `${started.created ? 'created' : 'resuming'} projection set ${set}; group ${started.names.groupId}, queue prefix ${started.names.queuePrefix}`,
        )
        out(`dead letters go to ${started.names.deadLetterTopic}, marked x-projection-set: ${set}`)
        out(`retained messages: ${grouped(started.initial.total)} (${grouped(started.initial.done)} done before this start)`)
        for (const line of partitionLines(started.initial)) out(line)
        out('retention (what is older than this cannot be rebuilt):')
        for (const line of retentionLines(started.retention, started.initial)) out(line)
        if (started.opsPort !== null) out(`progress on http://127.0.0.1:${started.opsPort}/metrics (rebuild_*)`)
        reportCaughtUp(started, set, tty)
      },
      close: async () => {
        await started?.close()
      },
    },
    { logger, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  )
  // runService resolves once started; the run lives on its timers and sockets until a signal.
}

function reportCaughtUp(started: RebuildRun, set: string, tty: boolean): void {
  void started.caughtUp.then((sample) => {
    if (tty) process.stderr.write('\n')
    out(`caught up: lag ${grouped(sample.progress.lag)} (live ${grouped(sample.liveLag)}); set ${set} is ready.`)
    out(`next: pnpm run rebuild compare ${set}   then   pnpm run rebuild switch ${set}`)
    out('this run keeps the set following the topics until it is stopped (Ctrl-C); a live set needs its pipeline running.')
  })
}

const runs = process.argv[2] === 'run'
try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`rebuild: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
}
// A one-shot command is done here (its clients closed); kafkajs may still hold a retry timer after a failure.
if (!runs || process.exitCode !== 0) process.exit()
