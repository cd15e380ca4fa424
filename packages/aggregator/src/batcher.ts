/**
 * Collects jobs into one batch. The batch closes as soon as the queue has nothing more to give,
 * at `maxMessages` messages, or `maxWaitMs` after its first job, whichever comes first.
 * It never lingers for jobs that have not arrived yet: that wait would be added to the
 * freshness of every message under steady load. Batching still adapts to the lag by itself:
 * the jobs that arrive while one batch is applied are all waiting when the next is collected,
 * so a backlog gives full batches and a quiet queue gives small, immediate ones.
 * Independent of BullMQ (a `fetch` function is injected).
 */

export interface BatcherOptions {
  readonly maxMessages: number
  /** Upper bound on collecting (a queue refilled as fast as it is read would otherwise hold the batch open). */
  readonly maxWaitMs: number
  /** Polled between fetches: once true, no further job is taken. */
  readonly isStopping: () => boolean
}

/**
 * `fetch(true)` may block for a while waiting for a job; `fetch(false)` returns at once.
 * Returns an empty batch only when stopping.
 */
export async function collectBatch<J>(
  fetch: (block: boolean) => Promise<J | undefined>,
  sizeOf: (job: J) => number,
  options: BatcherOptions,
): Promise<J[]> {
  let first: J | undefined
  while (first === undefined) {
    if (options.isStopping()) return []
    first = await fetch(true)
  }
  const batch = [first]
  let messages = sizeOf(first)
  const deadline = Date.now() + options.maxWaitMs
  while (messages < options.maxMessages && Date.now() < deadline && !options.isStopping()) {
    const next = await fetch(false)
    if (next === undefined) break
    batch.push(next)
    messages += sizeOf(next)
  }
  return batch
}
