/**
 * A rebuild run: the real ingest worker and aggregator, in this process, writing the rebuild's set
 * through its own consumer group (from the earliest retained offset, or from a given time), its own
 * BullMQ queue and its own dead-letter topic, while the live pipeline keeps serving. The same
 * exactly-once rules hold (claims, settlements, the committed prefix), so a run killed at any
 * point resumes where its group committed when started again. It keeps following the topics after
 * it caught up, until it is stopped: the set stays current for the comparison and the switch.
 */
import { createAggregator, loadAggregatorConfig, type Aggregator, type AggregatorConfig } from '@event-analytics/aggregator'
import { closeDb, createDb, createProjectionSet, listProjectionSets, pingDatabase, setShapeDifferences } from '@event-analytics/db'
import { createIngestWorker, loadIngestConfig, topicKinds, type IngestWorker } from '@event-analytics/ingest-worker'
import { createLogger, startOpsServer, type Logger, type OpsServer } from '@event-analytics/ops'
import { Kafka, logLevel } from 'kafkajs'
import { Registry } from 'prom-client'
import { loadRebuildConfig } from './config.js'
import { readOffsets, readRetention, startGroupAt, type TopicRetention } from './kafka.js'
import { createRebuildMetrics } from './metrics.js'
import { pipelineEnvironment, rebuildNames, type DeadLetterTarget, type RebuildNames } from './naming.js'
import { progressOf, type Progress } from './progress.js'
import { watchProgress, type ProgressSample, type ProgressWatch } from './watch.js'

export interface RebuildRunOptions {
  readonly set: string
  /** Start the rebuild's group at the first messages at or after this time (only when the group has committed nothing yet). */
  readonly from?: Date
  readonly deadLetters?: DeadLetterTarget
  readonly env?: NodeJS.ProcessEnv
  readonly logger?: Logger
  /** Ops port of the run (REBUILD_OPS_PORT); null: none (tests). */
  readonly opsPort?: number | null
  /** Told after every progress reading (the command line draws its bar). */
  readonly onProgress?: (sample: ProgressSample) => void
  /** Tests: aggregator settings laid over the environment's (e.g. no channel metrics). */
  readonly aggregator?: Partial<AggregatorConfig>
}

export interface RebuildRun {
  readonly names: RebuildNames
  readonly created: boolean
  readonly retention: readonly TopicRetention[]
  readonly initial: Progress
  readonly aggregator: Aggregator
  readonly opsPort: number | null
  /** Resolves with the first reading that is caught up (the set is then marked ready). */
  readonly caughtUp: Promise<ProgressSample>
  close(): Promise<void>
}

export async function startRebuild(options: RebuildRunOptions): Promise<RebuildRun> {
  const source = options.env ?? process.env
  const logger = options.logger ?? createLogger('rebuild')
  const config = loadRebuildConfig(source)
  const liveIngest = loadIngestConfig(source)
  const names = rebuildNames(
    options.set,
    {
      groupId: liveIngest.KAFKA_GROUP_ID,
      queuePrefix: liveIngest.BULLMQ_PREFIX,
      deadLetterTopic: liveIngest.TOPIC_DEAD_LETTER,
      transactionalId: liveIngest.KAFKA_TRANSACTIONAL_ID,
    },
    options.deadLetters,
  )
  const topics = [...topicKinds(liveIngest).keys()]
  const db = createDb(liveIngest.DATABASE_URL, { poolSize: 2, applicationName: `rebuild:${names.set}` })
  const admin = new Kafka({ clientId: `rebuild-${names.set}`, brokers: liveIngest.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin()
  let ingest: IngestWorker | undefined
  let aggregator: Aggregator | undefined
  let ops: OpsServer | undefined
  let watch: ProgressWatch | undefined
  const release = async (): Promise<void> => {
    await watch?.stop()
    await ingest?.close()
    await aggregator?.close()
    await ops?.close()
    await admin.disconnect()
    await closeDb(db)
  }
  try {
    await pingDatabase(db)
    await admin.connect()
    const existing = (await listProjectionSets(db)).find((set) => set.name === names.set)
    if (existing === undefined) {
      await createProjectionSet(db, liveIngest.DATABASE_URL, names.set, { note: `rebuild of ${topics.join(', ')}` })
      logger.info({ set: names.set }, 'projection set created')
    } else {
      const shape = await setShapeDifferences(db, names.set)
      if (shape.length > 0) throw new Error(`set ${names.set} was made by another release (${shape.join('; ')}): rebuild into a new set`)
      logger.info({ set: names.set, state: existing.state, live: existing.live }, 'projection set exists: resuming its rebuild')
    }
    const before = await readOffsets(admin, names.groupId, topics)
    if (options.from !== undefined) {
      if (before.some((p) => p.committed >= 0))
        throw new Error(`--from: group ${names.groupId} already committed offsets; it resumes from them`)
      await startGroupAt(admin, names.groupId, topics, options.from)
    }
    const retention = await readRetention(admin, topics)
    const pipelineEnv = { ...source, ...pipelineEnvironment(names) }
    const ingestEnv = {
      ...pipelineEnv,
      INGEST_OPS_PORT: '0',
      INGEST_MAX_MESSAGES_PER_SECOND: String(config.REBUILD_MAX_MESSAGES_PER_SECOND),
    }
    ingest = createIngestWorker(loadIngestConfig(ingestEnv), logger.child({ component: 'ingest' }))
    const aggregatorConfig = { ...loadAggregatorConfig(pipelineEnv), ...options.aggregator, opsPort: null }
    aggregator = createAggregator(aggregatorConfig, { logger: logger.child({ component: 'aggregator' }), defaultMetrics: false })
    await ingest.start()
    await aggregator.start()
    const metrics = createRebuildMetrics(names.set)
    const opsPort = options.opsPort === undefined ? config.REBUILD_OPS_PORT : options.opsPort
    if (opsPort !== null) {
      ops = await startOpsServer({
        port: opsPort,
        host: config.REBUILD_OPS_HOST,
        logger,
        registry: Registry.merge([metrics.registry, aggregator.metrics.registry, ingest.metrics.registry]),
        checks: { postgres: () => pingDatabase(db) },
      })
    }
    const initial = progressOf(await readOffsets(admin, names.groupId, topics))
    watch = watchProgress({
      db,
      admin,
      set: names.set,
      groupId: names.groupId,
      liveGroupId: liveIngest.KAFKA_GROUP_ID,
      topics,
      caughtUpLag: config.REBUILD_CAUGHT_UP_LAG,
      intervalMs: config.REBUILD_PROGRESS_INTERVAL_MS,
      metrics,
      logger,
      onProgress: options.onProgress,
    })
    let closing: Promise<void> | undefined
    return {
      names,
      created: existing === undefined,
      retention,
      initial,
      aggregator,
      opsPort: ops?.port ?? null,
      caughtUp: watch.caughtUp,
      close() {
        closing ??= release()
        return closing
      },
    }
  } catch (error) {
    await release().catch(() => undefined)
    throw error
  }
}
