/**
 * Alert evaluation (docs/SPEC.md section 9a): after every committed batch for the events it
 * touched, and on a clock for every ACTIVE event (silence and staleness come with time alone).
 *
 * Exactly-once transitions: each pass is one transaction holding a PostgreSQL advisory lock, so
 * evaluators in any number of aggregator processes take turns and each sees what the previous
 * one committed; it opens only what is wanted and not open and resolves only what is open and
 * no longer wanted (the partial unique index backs the first). A replayed batch, a pass cut short
 * by SIGKILL and evaluated again, or two evaluators on the same data therefore write each
 * transition once, with its outbox row in the same transaction. The lock also makes the outbox
 * ids commit in order, so a reader following the last id it saw never skips a row.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { cacheKeys } from '@event-analytics/contracts'
import {
  listAlertEvaluationTargets,
  lockAlertEvaluation,
  openAlert,
  readAlertFacts,
  readOpenAlerts,
  resolveAlert,
  isConcurrencyConflict,
  lockSetLiveness,
} from '@event-analytics/db'
import type { AlertTransitionRow, Database } from '@event-analytics/db'
import { invalidateProjections, retry, type Logger, type RedisClient } from '@event-analytics/ops'
import type { Kysely } from 'kysely'
import type { Histogram } from 'prom-client'
import { alertKey, wantedAlerts } from './rules.js'
import { DEFAULT_ALERTS_BATCH_GAP_MS } from '../config.js'

/** Events per evaluation transaction: bounds how long one holds the lock. */
const CHUNK = 500

/** Evaluates the rules for `eventIds` at `now` in one locked transaction; returns the transitions written. */
export async function evaluateAlerts(db: Kysely<Database>, eventIds: readonly string[], now: Date): Promise<AlertTransitionRow[]> {
  const unique = [...new Set(eventIds)].sort()
  if (unique.length === 0) return []
  return retry(
    () =>
      db.transaction().execute(async (trx) => {
        await lockAlertEvaluation(trx)
        // Only the live set's figures open or resolve an alert, decided in this transaction: a
        // switch waits for it, and a pass after the switch sees it (the polled isLive only saves work).
        if (!(await lockSetLiveness(trx))) return []
        const wanted = (await readAlertFacts(trx, unique)).flatMap((event) => wantedAlerts(event, now))
        const open = await readOpenAlerts(trx, unique)
        const openKeys = new Set(
          open.map((alert) => alertKey({ eventId: alert.event_id, rule: alert.rule, channelName: alert.channel_name })),
        )
        const wantedKeys = new Set(wanted.map(alertKey))
        const transitions: AlertTransitionRow[] = []
        for (const finding of wanted) {
          if (openKeys.has(alertKey(finding))) continue
          const opened = await openAlert(trx, finding, now)
          if (opened !== undefined) transitions.push(opened)
        }
        for (const alert of open) {
          if (wantedKeys.has(alertKey({ eventId: alert.event_id, rule: alert.rule, channelName: alert.channel_name }))) continue
          const resolved = await resolveAlert(trx, alert.id, now)
          if (resolved !== undefined) transitions.push(resolved)
        }
        return transitions
      }),
    { attempts: 5, backoff: { initialMs: 20, factor: 2, maxMs: 160 }, shouldRetry: isConcurrencyConflict },
  )
}

export interface AlertMonitorOptions {
  readonly db: Kysely<Database>
  /** Where the dashboards are cached and changes announced (the live stream listens). */
  readonly cache: RedisClient
  readonly changesChannel: string
  readonly intervalMs: number
  /**
   * Least time from the start of one pass after batches to the start of the next
   * (DEFAULT_ALERTS_BATCH_GAP_MS): the batches committed meanwhile wait and are evaluated together.
   * A pass looks at every event it names, hundreds per batch under load, so without a gap the
   * passes would follow the batches one for one. Clock passes and close() do not wait for it.
   */
  readonly batchGapMs?: number
  readonly logger: Logger
  /** Times each pass, labelled `batch` or `clock` (its _count: how many passes ran). */
  readonly passSeconds?: Histogram<'trigger'>
  readonly now?: () => Date
  /**
   * Whether this aggregator's projection set is live (default: always). Alerts are side effects
   * (transitions, webhooks): only the live set's figures may open or resolve one, so a rebuild's
   * aggregator evaluates nothing until it is switched live, and the old set's stops once it is not.
   */
  readonly isLive?: () => boolean
}

/**
 * The aggregator's evaluator: one loop per process, so evaluation never holds up a batch. A
 * committed batch queues the events it named (batches arriving meanwhile coalesce into one
 * pass); the clock queues a pass over every ACTIVE event and every event with an open alert.
 * After each pass the events whose alerts changed have their dashboard dropped from the cache
 * and are announced, so open streams reload. A pass that fails is logged and left to the next
 * clock pass; an announcement that fails is retried after the next pass.
 */
export class AlertMonitor {
  private timer: NodeJS.Timeout | undefined
  private loop: Promise<void> | undefined
  private readonly pending = new Set<string>()
  private clockDue = false
  /** Events whose transitions are committed but not yet announced. */
  private readonly unannounced = new Set<string>()
  private readonly now: () => Date
  private readonly batchGapMs: number
  /** When the last pass after batches started (performance.now()); -Infinity: none yet. */
  private lastBatchPassAt = -Infinity
  private readonly closing = new AbortController()

  constructor(private readonly options: AlertMonitorOptions) {
    this.now = options.now ?? (() => new Date())
    this.batchGapMs = options.batchGapMs ?? DEFAULT_ALERTS_BATCH_GAP_MS
  }

  /** Queues the events a committed batch named; returns at once. */
  afterBatch(eventIds: readonly string[]): void {
    for (const eventId of eventIds) this.pending.add(eventId)
    void this.kick()
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.clockDue = true
      void this.kick()
    }, this.options.intervalMs)
    this.timer.unref()
  }

  /** A clock pass now; resolves once it and everything queued before it are evaluated and announced. */
  async tick(): Promise<void> {
    this.clockDue = true
    await this.idle()
  }

  /** Resolves once nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.loop !== undefined || this.pending.size > 0 || this.clockDue) await this.kick()
  }

  async close(): Promise<void> {
    this.closing.abort()
    clearInterval(this.timer)
    this.timer = undefined
    await this.idle()
  }

  private kick(): Promise<void> {
    this.loop ??= this.drain().finally(() => {
      this.loop = undefined
      // Queued between the loop's last check and here: start again.
      if (this.pending.size > 0 || this.clockDue) void this.kick()
    })
    return this.loop
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 || this.clockDue) {
      if (this.pending.size > 0) {
        await this.batchGap()
        const eventIds = [...this.pending]
        this.pending.clear()
        this.lastBatchPassAt = performance.now()
        await this.timed('batch', () => this.evaluate(eventIds, 'after a batch'))
      } else {
        this.clockDue = false
        await this.timed('clock', () => this.evaluate(undefined, 'on the clock'))
      }
      await this.announce()
    }
  }

  private async timed(trigger: 'batch' | 'clock', pass: () => Promise<void>): Promise<void> {
    const stop = this.options.passSeconds?.startTimer({ trigger })
    await pass()
    stop?.()
  }

  /** Resolves batchGapMs after the last pass after batches started, or at once when closing. */
  private async batchGap(): Promise<void> {
    const remainingMs = this.lastBatchPassAt + this.batchGapMs - performance.now()
    if (remainingMs <= 0 || this.closing.signal.aborted) return
    await sleep(remainingMs, undefined, { signal: this.closing.signal }).catch(() => undefined)
  }

  /** `eventIds` undefined: every clock target. Never throws. */
  private async evaluate(eventIds: readonly string[] | undefined, when: string): Promise<void> {
    if (this.options.isLive?.() === false) return
    try {
      const targets = eventIds ?? (await listAlertEvaluationTargets(this.options.db))
      for (let start = 0; start < targets.length; start += CHUNK) {
        const transitions = await evaluateAlerts(this.options.db, targets.slice(start, start + CHUNK), this.now())
        this.log(transitions)
        for (const transition of transitions) this.unannounced.add(transition.event_id)
      }
    } catch (error) {
      this.options.logger.warn({ err: error, when }, 'alert evaluation failed; the next clock pass evaluates again')
    }
  }

  private async announce(): Promise<void> {
    if (this.unannounced.size === 0) return
    const eventIds = [...this.unannounced]
    try {
      await invalidateProjections(
        this.options.cache,
        eventIds.map((eventId) => cacheKeys.dashboard(eventId)),
        { channel: this.options.changesChannel, eventIds },
      )
      for (const eventId of eventIds) this.unannounced.delete(eventId)
    } catch (error) {
      this.options.logger.warn({ err: error, events: eventIds.length }, 'announcing alert changes failed; retried after the next pass')
    }
  }

  private log(transitions: readonly AlertTransitionRow[]): void {
    for (const transition of transitions) {
      this.options.logger.info(
        { eventId: transition.event_id, rule: transition.rule, channelName: transition.channel_name, state: transition.state },
        'alert transition',
      )
    }
  }
}
