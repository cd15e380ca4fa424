/**
 * Ingest planning profile: `pnpm --filter @event-analytics/bench run profile:plan`.
 *
 * What the ingest worker does to each partition batch before anything leaves the process:
 * `planBatch` (Confluent framing, Avro decode through the registry's writer schema, validation,
 * jobs, the bytes a dead letter would need), over the bench workload's participants encoded the
 * way the simulator encodes them, as kafkajs hands messages out (key and value as buffers, empty
 * headers, offsets as strings). No Kafka and no Redis: the registry is the only service asked,
 * once per schema. Prints CPU-µs and bytes allocated per message, and where the bytes go
 * (V8's sampling heap profiler, collected objects included, so garbage counts as well).
 *
 * Settings (environment): PROFILE_MESSAGES (100000) per round, PROFILE_BATCH (5000 messages per
 * partition batch, about what one 1 MiB partition fetch holds), PROFILE_ROUNDS (21; the first
 * warms the JIT and is not counted; the median of the rest is the figure), SCHEMA_REGISTRY_URL.
 */
import { Session } from 'node:inspector/promises'
import { randomBytes } from 'node:crypto'
import { DEFAULT_SCHEMA_REGISTRY_URL, readerSchema } from '@event-analytics/contracts'
import { AvroDecoder, createSchemaRegistry, planBatch } from '@event-analytics/ingest-worker'
import { env, loadConfig } from '@event-analytics/ops'
import { SchemaType } from '@kafkajs/confluent-schema-registry'
import type { KafkaMessage } from 'kafkajs'
import { median } from './proc-cpu.js'
import { newEventIds, participants } from './workload.js'

const settings = loadConfig(
  {
    SCHEMA_REGISTRY_URL: env.url(DEFAULT_SCHEMA_REGISTRY_URL),
    PROFILE_MESSAGES: env.integer(100_000, 1000),
    PROFILE_BATCH: env.integer(5_000, 1),
    PROFILE_ROUNDS: env.integer(21, 2),
  },
  process.env,
)

const MAX_EVENTS_PER_JOB = 2_000

interface HeapProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly selfSize: number
  readonly children: readonly HeapProfileNode[]
}

async function encodedMessages(): Promise<KafkaMessage[]> {
  const registry = createSchemaRegistry(settings.SCHEMA_REGISTRY_URL)
  const subject = `profile-plan-${randomBytes(4).toString('hex')}-value`
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(readerSchema('ParticipantRegistered')) },
    { subject },
  )
  const messages: KafkaMessage[] = []
  const events = participants(newEventIds(200), settings.PROFILE_MESSAGES)
  for (const [index, event] of events.entries()) {
    const { kind: _kind, ...fields } = event
    messages.push({
      key: Buffer.from(event.eventId),
      value: await registry.encode(id, fields),
      offset: String(1_000_000 + index),
      timestamp: String(Date.now()),
      attributes: 0,
      headers: {},
    })
  }
  return messages
}

async function planAll(decoder: AvroDecoder, messages: readonly KafkaMessage[]): Promise<number> {
  let jobs = 0
  for (let start = 0; start < messages.length; start += settings.PROFILE_BATCH) {
    const batch = { topic: 'profile', partition: 0, messages: messages.slice(start, start + settings.PROFILE_BATCH) }
    const plan = await planBatch(decoder, 'ParticipantRegistered', batch, MAX_EVENTS_PER_JOB, new Date())
    jobs += plan.jobs.length
  }
  return jobs
}

function topAllocations(head: HeapProfileNode, limit: number): { total: number; top: [string, number][] } {
  const bySite = new Map<string, number>()
  let total = 0
  const visit = (node: HeapProfileNode): void => {
    const { functionName, url, lineNumber } = node.callFrame
    const site = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize)
    total += node.selfSize
    for (const child of node.children) visit(child)
  }
  visit(head)
  return { total, top: [...bySite].sort((a, b) => b[1] - a[1]).slice(0, limit) }
}

async function main(): Promise<void> {
  const messages = await encodedMessages()
  const decoder = new AvroDecoder(createSchemaRegistry(settings.SCHEMA_REGISTRY_URL))
  const session = new Session()
  session.connect()
  console.log(`planBatch over ${messages.length} messages in batches of ${settings.PROFILE_BATCH}, ${settings.PROFILE_ROUNDS} rounds`)
  const perMessage: number[] = []
  for (let round = 0; round < settings.PROFILE_ROUNDS; round += 1) {
    const cpu = process.cpuUsage()
    await planAll(decoder, messages)
    const used = process.cpuUsage(cpu)
    if (round > 0) perMessage.push((used.user + used.system) / messages.length)
  }
  console.log(
    `CPU-µs per message over ${perMessage.length} rounds: median ${median(perMessage).toFixed(2)}, ` +
      `min ${Math.min(...perMessage).toFixed(2)}, max ${Math.max(...perMessage).toFixed(2)}`,
  )
  await session.post('HeapProfiler.enable')
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  await planAll(decoder, messages)
  const { profile } = await session.post('HeapProfiler.stopSampling')
  const { total, top } = topAllocations(profile.head as HeapProfileNode, 15)
  console.log(`allocated: ${(total / messages.length).toFixed(0)} bytes per message (sampled), by function:`)
  for (const [site, bytes] of top) console.log(`  ${(bytes / messages.length).toFixed(0).padStart(6)} B  ${site}`)
  session.disconnect()
}

await main()
