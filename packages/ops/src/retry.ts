/**
 * The one retry loop of the codebase. A call site states what it retries (`shouldRetry`), how
 * often (`attempts`, `deadlineMs`), how it waits (`backoff`) and what it logs (`onRetry`); the
 * loop itself lives here once. Library reconnect strategies (ioredis `retryStrategy`, kafkajs
 * `retry`) stay library options; the services' ioredis delay is `reconnectDelayMs`.
 */
import { setTimeout as sleep } from 'node:timers/promises'

/** Exponential backoff: pause n (after the nth failure) = min(maxMs, initialMs x factor^(n-1)). */
export interface Backoff {
  /** Pause after the first failure (ms, default 100). */
  readonly initialMs?: number
  /** Growth of the pause per further failure (default 2; 1 = a fixed pause). */
  readonly factor?: number
  /** Longest pause (ms, default 5000). */
  readonly maxMs?: number
  /**
   * Full jitter (default true): each pause is uniform in [0, computed), so callers that failed
   * together (a conflict, a restarted dependency) do not all retry in the same instant.
   */
  readonly jitter?: boolean
}

export interface RetryOptions {
  /** Calls in total, the first included (default 5). `Infinity`: until the deadline, the signal or `shouldRetry` ends it. */
  readonly attempts?: number
  /** No attempt starts later than this many ms after the first did (default: no deadline). */
  readonly deadlineMs?: number
  readonly backoff?: Backoff
  /** Whether this failure is worth another attempt (default: every failure is). */
  readonly shouldRetry?: (error: unknown, attempt: number) => boolean
  /** Called before each pause (logging, metrics); `attempt` is the number of the call that failed, from 1. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void
  /**
   * Aborting ends the retries at once, a pause included; a running attempt is not interrupted.
   * Whenever the retries end, the last failure is what is thrown.
   */
  readonly signal?: AbortSignal
  /** Source of the jitter (tests). */
  readonly random?: () => number
}

export const DEFAULT_RETRY_ATTEMPTS = 5
export const DEFAULT_BACKOFF: Required<Backoff> = { initialMs: 100, factor: 2, maxMs: 5000, jitter: true }

/** The pause after failed attempt number `attempt` (from 1). */
export function backoffDelayMs(attempt: number, backoff: Backoff = {}, random: () => number = Math.random): number {
  const { initialMs, factor, maxMs, jitter } = { ...DEFAULT_BACKOFF, ...backoff }
  const computed = Math.min(maxMs, initialMs * factor ** (attempt - 1))
  return jitter ? Math.floor(random() * computed) : computed
}

/**
 * Calls `operation` (with its attempt number, from 1) until it resolves, and resolves with its
 * value. Throws the operation's last error once the failure is not retryable, the attempts
 * are spent, the next attempt would start past the deadline, or the signal is aborted.
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_RETRY_ATTEMPTS
  if (!(attempts >= 1)) throw new RangeError(`retry attempts must be at least 1, got ${attempts}`)
  const deadline = options.deadlineMs === undefined ? Infinity : Date.now() + options.deadlineMs
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (attempt >= attempts || options.signal?.aborted === true) throw error
      if (options.shouldRetry !== undefined && !options.shouldRetry(error, attempt)) throw error
      const delayMs = backoffDelayMs(attempt, options.backoff, options.random)
      if (Date.now() + delayMs > deadline) throw error
      options.onRetry?.(error, attempt, delayMs)
      if (!(await pause(delayMs, options.signal))) throw error
    }
  }
}

/** false when the signal ended the pause. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, signal === undefined ? undefined : { signal })
    return true
  } catch (error) {
    if (signal?.aborted === true) return false
    throw error
  }
}
