/**
 * Waiting for dependencies at start. A fresh stack reports Kafka or the registry up a moment
 * before they serve every request, and a dependency may restart while a service starts: a
 * service therefore waits for each dependency it needs, through `retry`, up to one deadline
 * (`STARTUP_DEADLINE_MS`), and only past it fails naming the dependency. What happens after
 * start is not this module's concern: there the clients' own reconnects apply.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import { doc, env } from './config.js'
import { createRedisClient, describeRedisEndpoint, type RedisClient, type RedisEndpoint } from './redis-connection.js'
import { retry, type Backoff } from './retry.js'

/** How long a service waits at start for all its dependencies together (ms). */
export const DEFAULT_STARTUP_DEADLINE_MS = 60_000

/** Part of every service's `processVariables`, so the setting is validated and documented the same everywhere. */
export const startupShape = {
  STARTUP_DEADLINE_MS: doc(
    env.integer(DEFAULT_STARTUP_DEADLINE_MS, 1000, 3_600_000),
    'How long start waits for every dependency (Kafka, the registry, PostgreSQL, both Redis roles) before the service exits naming the one missing; the launcher restarts a service that exits during start within the same time.',
  ),
}

/** Short pauses first (a stack that is nearly up), at most 2 s (a dependency that is restarting). */
export const STARTUP_BACKOFF: Backoff = { initialMs: 200, factor: 2, maxMs: 2000 }

/** A dependency was not available within the deadline. */
export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError'
  constructor(
    readonly dependency: string,
    readonly deadlineMs: number,
    override readonly cause: unknown,
  ) {
    super(`${dependency} not available within ${deadlineMs} ms: ${reasonOf(cause)}`)
  }
}

/** close() (a signal) ended the wait: not a failure of the dependency. */
export class StartAbortedError extends Error {
  override name = 'StartAbortedError'
  constructor(readonly dependency: string) {
    super(`start stopped while waiting for ${dependency}`)
  }
}

export interface WaitOptions {
  readonly deadlineMs: number
  readonly logger: Logger
  /** Aborting (close() during start) ends the wait at once, a running probe included. */
  readonly signal?: AbortSignal
  /** A failure that waiting cannot fix (a refused configuration) is thrown as it is. */
  readonly shouldRetry?: (error: unknown) => boolean
  /** A probe slower than this counts as failed (default: bounded by the deadline only). */
  readonly attemptTimeoutMs?: number
  readonly backoff?: Backoff
}

/**
 * Calls `probe` until it resolves and returns its value. Logs one line when the dependency
 * first fails ("waiting for <name>: <reason>") and one when it is up, never one per attempt.
 * Throws DependencyUnavailableError past the deadline, StartAbortedError once `signal` aborts.
 */
export async function waitForDependency<T>(name: string, probe: () => Promise<T>, options: WaitOptions): Promise<T> {
  const started = Date.now()
  const deadline = started + options.deadlineMs
  let waiting = false
  const attempt = (): Promise<T> => {
    const limitMs = Math.min(options.attemptTimeoutMs ?? Infinity, Math.max(0, deadline - Date.now()))
    return bounded(probe(), limitMs, options.signal, name)
  }
  try {
    const value = await retry(attempt, {
      attempts: Infinity,
      deadlineMs: options.deadlineMs,
      backoff: options.backoff ?? STARTUP_BACKOFF,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      shouldRetry: (error) => options.shouldRetry?.(error) ?? true,
      onRetry: (error) => {
        if (waiting) return
        waiting = true
        options.logger.warn({ dependency: name, reason: reasonOf(error) }, `waiting for ${name}: ${reasonOf(error)}`)
      },
    })
    if (waiting) options.logger.info({ dependency: name, waitedMs: Date.now() - started }, `${name} is up`)
    return value
  } catch (error) {
    if (options.signal?.aborted === true) throw new StartAbortedError(name)
    if (options.shouldRetry !== undefined && !options.shouldRetry(error)) throw error
    throw new DependencyUnavailableError(name, options.deadlineMs, error)
  }
}

export interface Dependency {
  readonly name: string
  readonly probe: () => Promise<unknown>
  readonly shouldRetry?: (error: unknown) => boolean
  readonly attemptTimeoutMs?: number
}

/**
 * Waits for each dependency in turn (later ones may need earlier ones: topics before the
 * producer), all within one deadline counted from this call.
 */
export async function waitForDependencies(
  dependencies: readonly Dependency[],
  options: Omit<WaitOptions, 'shouldRetry' | 'attemptTimeoutMs'>,
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs
  for (const dependency of dependencies) {
    await waitForDependency(dependency.name, dependency.probe, {
      ...options,
      deadlineMs: Math.max(0, deadline - Date.now()),
      ...(dependency.shouldRetry === undefined ? {} : { shouldRetry: dependency.shouldRetry }),
      ...(dependency.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: dependency.attemptTimeoutMs }),
    })
  }
}

/**
 * Connects a short-lived client to `endpoint` that does not reconnect, runs `check` (PING by
 * default) and disconnects: unlike the services' own clients, which queue commands while they
 * reconnect, it fails at once with the reason (ECONNREFUSED, LOADING, ...). An error of `check` itself is
 * thrown as it is.
 */
export async function probeRedis(
  endpoint: RedisEndpoint,
  check: (client: RedisClient) => Promise<unknown> = (client) => client.ping(),
): Promise<void> {
  const client = createRedisClient(endpoint, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  })
  // connect() only says "Connection is closed."; the socket's error says why.
  let socketError: unknown
  client.on('error', (error: unknown) => void (socketError ??= error))
  try {
    await client.connect()
    await check(client)
  } catch (error) {
    // The check's own verdict (an UnsafeQueueRedisError) is kept as it is; a lost connection names the endpoint.
    if (socketError === undefined && client.status === 'ready') throw error
    // The message names the socket's error when there is one: it says why better than connect()'s.
    throw new Error(`${describeRedisEndpoint(endpoint)}: ${reasonOf(socketError ?? error)}`, { cause: error })
  } finally {
    client.disconnect()
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0])
  if (error instanceof Error) return error.message || error.name
  return String(error)
}

async function bounded<T>(work: Promise<T>, limitMs: number, signal: AbortSignal | undefined, name: string): Promise<T> {
  if (limitMs === Infinity && signal === undefined) return work
  const done = new AbortController()
  const timeout =
    limitMs === Infinity
      ? new Promise<never>(() => undefined)
      : sleep(limitMs, undefined, { signal: done.signal }).then(
          () => Promise.reject(new Error(`${name} did not answer within ${limitMs} ms`)),
          () => new Promise<never>(() => undefined),
        )
  const aborted = new Promise<never>((_resolve, reject) => {
    if (signal?.aborted === true) reject(new Error('aborted'))
    signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true, signal: done.signal })
  })
  // A probe abandoned by the timeout or the signal must not become an unhandled rejection.
  work.catch(() => undefined)
  try {
    return await Promise.race([work, timeout, aborted])
  } finally {
    done.abort()
  }
}
