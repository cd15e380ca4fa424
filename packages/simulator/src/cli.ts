/**
 * `pnpm simulate`: produces a seeded scenario through the Schema Registry and Kafka like an
 * upstream service, paced at --rate, with progress on stderr and, with --print-truth, the
 * ground truth of exactly what was sent on stdout at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError } from '@event-analytics/ops'
import { dueMessages, parseSimulateArgs, USAGE, UsageError, type SimulateArgs } from './cli-args.js'
import { loadSimulatorConfig } from './config.js'
import { createGroundTruth } from './ground-truth.js'
import { HOUR_MS } from './plan.js'
import { createEventProducer } from './producer.js'
import { scenarioEvents } from './scenario.js'

const TICK_MS = 100
const PROGRESS_MS = 5000
/** Bounds one produce request; at high rates a tick sends several chunks. */
const MAX_CHUNK = 500

function parseOrExit(): SimulateArgs {
  try {
    return parseSimulateArgs(process.argv.slice(2), Date.now())
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n${USAGE}\n`)
    process.exit(2)
  }
}

async function main(): Promise<void> {
  const args = parseOrExit()
  const config = loadSimulatorConfig()
  const started = Date.now()
  const stream = scenarioEvents({
    seed: args.seed,
    start: started - args.spanHours * HOUR_MS,
    spanHours: args.spanHours,
    owners: args.owners,
    eventsPerOwner: args.eventsPerOwner,
    participants: args.history,
    idPrefix: args.idPrefix,
    // Live participants happen when sent: once the back-fill is out, the demo is live (asOf ~ now).
    live: { ratePerSecond: args.rate, clock: Date.now },
  })
  const producer = await createEventProducer({ brokers: config.brokers, registryUrl: config.registryUrl, topics: config.topics })
  const truth = createGroundTruth()
  let stopping = false
  const stop = (): void => void (stopping = true)
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  process.stderr.write(`simulate: seed ${args.seed}, ${args.rate}/s, ${describeLimit(args)}, brokers ${config.brokers.join(',')}\n`)

  let sent = 0
  let lastProgress = started
  const deadline = args.durationSeconds === null ? Number.POSITIVE_INFINITY : started + args.durationSeconds * 1000
  while (!stopping && Date.now() < deadline && (args.events === null || sent < args.events)) {
    let due = dueMessages(sent, Date.now() - started, args.rate, args.events)
    while (due > 0 && !stopping) {
      const chunk = take(stream, Math.min(due, MAX_CHUNK))
      await producer.send(chunk)
      for (const event of chunk) truth.add(event)
      sent += chunk.length
      due -= chunk.length
    }
    if (Date.now() - lastProgress >= PROGRESS_MS) {
      lastProgress = Date.now()
      progress(sent, started)
    }
    await sleep(TICK_MS)
  }
  await producer.close()
  progress(sent, started)
  const result = truth.result()
  process.stderr.write(
    `simulate: done, ${sent} messages (${result.messages.duplicates} duplicates re-sent), ${result.events.length} events\n`,
  )
  if (args.printTruth) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}

function take<T>(iterator: Iterator<T>, count: number): T[] {
  const items: T[] = []
  while (items.length < count) {
    const next = iterator.next()
    if (next.done === true) break
    items.push(next.value)
  }
  return items
}

function describeLimit(args: SimulateArgs): string {
  if (args.events !== null) return `${args.events} messages`
  return args.durationSeconds === null ? 'until stopped' : `${args.durationSeconds} s`
}

function progress(sent: number, started: number): void {
  const seconds = (Date.now() - started) / 1000
  process.stderr.write(`simulate: ${sent} sent in ${seconds.toFixed(1)} s (${(sent / Math.max(seconds, 0.001)).toFixed(0)}/s)\n`)
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)
  process.stderr.write(`simulate failed: ${message}\n`)
  process.exit(1)
})
