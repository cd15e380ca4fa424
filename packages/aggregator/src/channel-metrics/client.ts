/**
 * HTTP client of one metrics provider: one attempt = one GET with its own timeout (the request
 * is aborted, not just abandoned); retries with full jitter around the breaker, so every
 * attempt counts in the breaker's statistics and an open breaker stops the retries at once.
 */
import { retry } from '@event-analytics/ops'
import type CircuitBreaker from 'opossum'

export interface SnapshotRequest {
  readonly eventId: string
  readonly channelName: string
  /**
   * The channel's participant count as applied so far: a hint beyond SPEC 7's two parameters
   * (real providers ignore it) that lets the simulated provider answer in proportion.
   */
  readonly participants?: number
}

/** A non-2xx answer. 5xx and 429 are retryable; other 4xx are not. */
export class ProviderHttpError extends Error {
  override name = 'ProviderHttpError'
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`provider answered ${status} for ${url}`)
  }
}

export function metricsUrl(baseUrl: string, request: SnapshotRequest): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/v1/metrics`)
  url.searchParams.set('eventId', request.eventId)
  url.searchParams.set('channelName', request.channelName)
  if (request.participants !== undefined) url.searchParams.set('participants', String(request.participants))
  return url.toString()
}

/** One attempt: the parsed JSON body (validated later), or a rejection. */
export async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
  if (!response.ok) {
    await response.body?.cancel()
    throw new ProviderHttpError(response.status, url)
  }
  return response.json()
}

export function isBreakerOpenError(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: unknown }).code === 'EOPENBREAKER'
}

/** Network failures, timeouts, 5xx and 429 are worth another attempt; an open breaker is not. */
export function isRetryable(error: unknown): boolean {
  if (isBreakerOpenError(error)) return false
  if (error instanceof ProviderHttpError) return error.status >= 500 || error.status === 429
  return !(error instanceof SyntaxError) // bad JSON will not improve on a retry
}

/** Short label for metrics and logs. */
export function failureKind(error: unknown): 'breaker-open' | 'timeout' | 'http' | 'bad-json' | 'network' {
  if (isBreakerOpenError(error)) return 'breaker-open'
  if (error instanceof ProviderHttpError) return 'http'
  if (error instanceof SyntaxError) return 'bad-json'
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout'
  return 'network'
}

export interface FetchRetryOptions {
  /** Extra attempts after the first. */
  readonly retries: number
  /** Pause before the first retry; it doubles per retry (capped at 5 s), with full jitter. */
  readonly retryBaseMs: number
  readonly random?: () => number
  /** Called for every failed attempt, the last included (metrics per attempt: timeouts, then fast breaker rejections). */
  readonly onAttemptFailure?: (error: unknown, attempt: number) => void
}

/** Full jitter: no synchronized retry waves across channels. */
export async function fetchThroughBreaker(
  breaker: Pick<CircuitBreaker<[string], unknown>, 'fire'>,
  url: string,
  options: FetchRetryOptions,
): Promise<unknown> {
  return retry(
    async (attempt) => {
      try {
        return await breaker.fire(url)
      } catch (error) {
        options.onAttemptFailure?.(error, attempt)
        throw error
      }
    },
    {
      attempts: options.retries + 1,
      backoff: { initialMs: options.retryBaseMs, factor: 2, maxMs: 5000 },
      shouldRetry: isRetryable,
      ...(options.random === undefined ? {} : { random: options.random }),
    },
  )
}
