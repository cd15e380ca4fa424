/**
 * The one way a service process runs: start, then on SIGTERM/SIGINT close and exit. The close
 * is bounded: a service whose Redis, PostgreSQL or Kafka is unreachable would otherwise hang
 * in a reconnect loop forever. Leaving early loses nothing: offsets are committed only after
 * PostgreSQL settled their messages, so whatever was in flight is simply read again.
 */
import type { Logger } from 'pino'

export interface ServiceLifecycle {
  start(): Promise<void>
  /** Idempotent. */
  close(): Promise<void>
}

export interface RunServiceOptions {
  readonly logger: Logger
  /** Longest wait for close() after a signal before the process exits anyway (default 10 000 ms). */
  readonly shutdownTimeoutMs?: number
  /** Tests replace process.exit. */
  readonly exit?: (code: number) => void
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

/**
 * Starts `service`; a failed start closes it (bounded) and exits 1. Resolves once started.
 * An error nothing caught (an uncaughtException, an unhandledRejection) leaves the process in
 * an unknown state: it is logged once as fatal, the service is closed (bounded) and the
 * process exits 1, so the orchestrator (or `npm start`'s launcher) starts a clean one.
 */
export async function runService(service: ServiceLifecycle, options: RunServiceOptions): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS
  let stopping = false
  const stop = async (reason: string, code: number): Promise<void> => {
    if (stopping) return
    stopping = true
    options.logger.info({ reason, timeoutMs }, 'shutting down')
    exit((await closeWithin(service, timeoutMs, options.logger)) ? code : 1)
  }
  const crash = (message: string) => (error: unknown) => {
    if (stopping) {
      options.logger.error({ err: error }, `${message} while shutting down`)
      return
    }
    options.logger.fatal({ err: error }, message)
    void stop(message, 1)
  }
  process.once('SIGTERM', () => void stop('SIGTERM', 0))
  process.once('SIGINT', () => void stop('SIGINT', 0))
  process.on('uncaughtException', crash('uncaught exception'))
  process.on('unhandledRejection', crash('unhandled rejection'))
  try {
    await service.start()
  } catch (error) {
    // A signal during start closed the service, which ended its wait: that is a shutdown, not a failure.
    if (stopping) {
      options.logger.info({ reason: error instanceof Error ? error.message : String(error) }, 'start interrupted by shutdown')
      return
    }
    options.logger.fatal({ err: error }, 'failed to start')
    await stop('start failed', 1)
  }
}

/** True when close() finished in time; false when it failed or the deadline passed. */
export async function closeWithin(service: Pick<ServiceLifecycle, 'close'>, timeoutMs: number, logger: Logger): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const outcome = await Promise.race([service.close().then(() => 'closed' as const), deadline])
    if (outcome === 'timeout')
      logger.error({ timeoutMs }, 'shutdown did not finish in time; exiting anyway (in-flight work is redone later)')
    return outcome === 'closed'
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed')
    return false
  } finally {
    clearTimeout(timer)
  }
}
