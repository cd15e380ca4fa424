/**
 * Failure handling of one batch, independent of BullMQ so it is unit-testable:
 * - transient failures: the same units are retried with backoff for as long as the caller allows;
 * - data failures: the units are bisected until the poison message stands alone; every other
 *   unit still gets applied, and each poison is reported with its error.
 */
import { retry, type RetryOptions } from '@event-analytics/ops'
import { classifyFailure, errorMessage } from './errors.js'

export interface Poison<U> {
  readonly unit: U
  readonly reason: string
}

export class BatchAborted extends Error {
  override name = 'BatchAborted'
}

export interface IsolateOptions {
  /**
   * How transient failures are retried: without end, until `signal` is aborted (shutting
   * down); the batch is then aborted and its jobs are left to stalled recovery.
   */
  readonly transientRetry: Pick<RetryOptions, 'backoff' | 'onRetry' | 'signal'>
  readonly onSplit?: (size: number, error: unknown) => void
}

/** Applies `units` with `apply`; returns the poison units (each failed alone with a data error). */
export async function isolatePoison<U>(
  units: readonly U[],
  apply: (units: readonly U[]) => Promise<void>,
  options: IsolateOptions,
): Promise<Poison<U>[]> {
  if (units.length === 0) return []
  const error = await retryTransient(units, apply, options)
  if (error === undefined) return []
  if (units.length === 1) return [{ unit: units[0] as U, reason: errorMessage(error) }]
  options.onSplit?.(units.length, error)
  const middle = Math.ceil(units.length / 2)
  const left = await isolatePoison(units.slice(0, middle), apply, options)
  const right = await isolatePoison(units.slice(middle), apply, options)
  return [...left, ...right]
}

/** undefined when applied; the data error when the content is at fault. */
async function retryTransient<U>(
  units: readonly U[],
  apply: (units: readonly U[]) => Promise<void>,
  options: IsolateOptions,
): Promise<unknown> {
  try {
    await retry(() => apply(units), {
      ...options.transientRetry,
      attempts: Infinity,
      shouldRetry: (error) => classifyFailure(error) !== 'data',
    })
    return undefined
  } catch (error) {
    if (classifyFailure(error) === 'data') return error
    // Retried without end, so only an abort (shutdown) ends a transient failure's retries.
    throw new BatchAborted(errorMessage(error))
  }
}
