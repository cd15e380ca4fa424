/**
 * The webhook dispatcher service: pairs new alert transitions with their owners' endpoints
 * (PostgreSQL outbox rows), puts each delivery on the BullMQ queue under its own job id, and
 * runs the attempts. A failed attempt is delayed on the same job until the next attempt of the
 * schedule stored with the row. Redis only schedules: the sweep puts every delivery that is
 * neither delivered nor given up on the queue again (a no-op where its job exists), so a wiped
 * Redis loses nothing.
 */
import { WEBHOOK_DELIVERY_QUEUE_NAME, type WebhookDeliveryJob } from '@event-analytics/contracts'
import { closeDb, createDb, dispatchAlertTransitions, listPendingDeliveries, pingDatabase } from '@event-analytics/db'
import type { PendingDelivery } from '@event-analytics/db'
import {
  DEFAULT_STARTUP_DEADLINE_MS,
  UnsafeQueueRedisError,
  checkQueueRedis,
  clusterQueuePrefix,
  createLogger,
  createRedisClient,
  probeRedis,
  startOpsServer,
  waitForDependencies,
  type HostLookup,
  type Logger,
  type OpsServer,
} from '@event-analytics/ops'
import { DelayedError, Queue, Worker, type Job } from 'bullmq'
import type { DispatcherConfig } from './config.js'
import { attemptDelivery, type DeliveryDeps } from './deliver.js'
import { enqueueDeliveries } from './enqueue.js'
import { createDispatcherMetrics, type DispatcherMetrics } from './metrics.js'
import { Passes } from './passes.js'

export interface Dispatcher {
  readonly metrics: DispatcherMetrics
  /** The delivery queue (tests look into it; the API's board opens its own). */
  readonly queue: Queue<WebhookDeliveryJob>
  readonly opsPort: number | null
  start(): Promise<void>
  /** One sweep now: every transition paired, every pending delivery enqueued (tests; the timers do the same). */
  tick(): Promise<void>
  /** Stops the timers and the worker (in-flight attempts finish), closes everything. Idempotent. */
  close(): Promise<void>
}

export interface DispatcherOverrides {
  readonly logger?: Logger
  readonly defaultMetrics?: boolean
  readonly lookup?: HostLookup
  readonly now?: () => Date
}

const SWEEP_BATCH = 1000
/** How far back the frequent pass looks for new transitions. */
const RECENT_WINDOW_MS = 10 * 60_000

export function createDispatcher(config: DispatcherConfig, overrides: DispatcherOverrides = {}): Dispatcher {
  const logger = overrides.logger ?? createLogger('webhook-dispatcher', config.logLevel)
  const metrics = createDispatcherMetrics(overrides.defaultMetrics ?? true)
  const now = overrides.now ?? (() => new Date())
  const db = createDb(config.databaseUrl, {
    applicationName: 'webhook-dispatcher',
    onPoolError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
  })
  const connection = createRedisClient(config.queueRedis, { maxRetriesPerRequest: null })
  connection.on('error', (error) => logger.warn({ err: error }, 'queue Redis connection error'))
  const prefix = clusterQueuePrefix(config.queuePrefix, config.queueRedis)
  const queue = new Queue<WebhookDeliveryJob>(WEBHOOK_DELIVERY_QUEUE_NAME, { connection, prefix })
  queue.on('error', (error) => logger.warn({ err: error }, 'delivery queue error'))
  const deps: DeliveryDeps = {
    db,
    allowPrivateAddresses: config.allowPrivateAddresses,
    allowHttp: config.allowHttp,
    http: config.http,
    retry: config.retry,
    now,
    ...(overrides.lookup === undefined ? {} : { lookup: overrides.lookup }),
  }
  const attempt = async (job: Job<WebhookDeliveryJob>, token?: string): Promise<void> => {
    const result = await attemptDelivery(deps, job.data.deliveryId)
    metrics.attempts.inc({ outcome: result.kind })
    if (result.kind === 'retry' || result.kind === 'given-up')
      logger.info(
        { deliveryId: job.data.deliveryId, ...result.outcome, next: result.kind === 'retry' ? result.at : null },
        'webhook attempt failed',
      )
    if (result.kind !== 'retry') return
    // The same job waits for the next attempt: its id stays taken, so the sweep adds no second one.
    await job.moveToDelayed(result.at.getTime(), token)
    throw new DelayedError()
  }
  const worker = new Worker<WebhookDeliveryJob>(WEBHOOK_DELIVERY_QUEUE_NAME, attempt, {
    connection,
    prefix,
    autorun: false,
    concurrency: config.concurrency,
    drainDelay: 1,
  })
  worker.on('error', (error) => logger.warn({ err: error }, 'delivery worker error'))

  const enqueue = (deliveries: readonly PendingDelivery[]): Promise<void> => enqueueDeliveries(queue, deliveries, now())
  const dispatch = async (since?: Date): Promise<void> => {
    const created = await dispatchAlertTransitions(db, since === undefined ? {} : { since })
    metrics.dispatched.inc(created.length)
    await enqueue(created)
  }
  // The frequent pass looks at recent transitions only; the sweep pairs everything (a transition
  // committed late, or while the dispatcher was down) before it enqueues what is pending.
  const dispatchRecent = (): Promise<void> => dispatch(new Date(now().getTime() - RECENT_WINDOW_MS))
  const sweep = async (): Promise<void> => {
    await dispatch()
    const pending = await listPendingDeliveries(db, SWEEP_BATCH)
    metrics.pending.set(pending.length)
    await enqueue(pending)
  }
  const passes = new Passes(logger)
  let ops: OpsServer | undefined
  let closing: Promise<void> | undefined
  const starting = new AbortController()

  return {
    metrics,
    queue,
    get opsPort() {
      return ops?.port ?? null
    },
    async tick() {
      await sweep()
    },
    async start() {
      await waitForDependencies(
        [
          {
            name: 'queue',
            probe: () =>
              probeRedis(config.queueRedis, (client) => checkQueueRedis(client, { allowEviction: config.queueRedisAllowEviction, logger })),
            shouldRetry: (error) => !(error instanceof UnsafeQueueRedisError),
          },
          { name: 'postgres', probe: () => pingDatabase(db) },
        ],
        { deadlineMs: config.startupDeadlineMs ?? DEFAULT_STARTUP_DEADLINE_MS, logger, signal: starting.signal },
      )
      if (config.opsPort !== null) {
        ops = await startOpsServer({
          port: config.opsPort,
          host: config.opsHost,
          logger,
          registry: metrics.registry,
          checks: { postgres: () => pingDatabase(db), queue: async () => void (await connection.ping()) },
        })
      }
      // A failed first pass (PostgreSQL busy) is logged; the timers run it again.
      await passes.run('sweep of pending deliveries', sweep)
      passes.every('pairing transitions with endpoints', config.pollIntervalMs, dispatchRecent)
      passes.every('sweep of pending deliveries', config.sweepIntervalMs, sweep)
      void worker.run().catch((error: unknown) => logger.error({ err: error }, 'delivery worker stopped'))
      logger.info(
        { queue: WEBHOOK_DELIVERY_QUEUE_NAME, prefix, allowPrivateAddresses: config.allowPrivateAddresses },
        'webhook dispatcher started',
      )
    },
    close() {
      closing ??= (async () => {
        starting.abort()
        await passes.stop()
        await worker.close()
        await queue.close()
        await ops?.close()
        connection.disconnect()
        await closeDb(db)
        logger.info('webhook dispatcher closed')
      })()
      return closing
    },
  }
}
