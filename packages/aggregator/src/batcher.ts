/**
 * Collects jobs into one batch: up to `maxMessages` messages, or whatever arrived within
 * `maxWaitMs` of the first job. Independent of BullMQ (a `fetch` function is injected).
 */

export interface BatcherOptions {
  readonly maxMessages: number
  readonly maxWaitMs: number
  /** Polled between fetches: once true, no further job is taken. */
  readonly isStopping: () => boolean
  /** Pause between non-blocking polls of an empty queue while the batch window is open. */
  readonly pollIntervalMs?: number
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
  while (messages < options.maxMessages && !options.isStopping()) {
    const remaining = deadline - Date.now()
    if (remaining <= 0) break
    const next = await fetch(false)
    if (next === undefined) {
      await sleep(Math.min(options.pollIntervalMs ?? 10, remaining))
      continue
    }
    batch.push(next)
    messages += sizeOf(next)
  }
  return batch
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
