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

/** Starts `service`; a failed start closes it (bounded) and exits 1. Resolves once started. */
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
  process.once('SIGTERM', () => void stop('SIGTERM', 0))
  process.once('SIGINT', () => void stop('SIGINT', 0))
  try {
    await service.start()
  } catch (error) {
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
