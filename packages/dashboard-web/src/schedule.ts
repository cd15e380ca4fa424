/** Scheduling helpers of the live view: no DOM, no API. */

/**
 * Runs `task` one at a time: a request while it runs asks for exactly one more run after it
 * (however many requests arrived). A failed run goes to `onError`; the next request runs again.
 */
export function coalesced(task: () => Promise<void>, onError: (failure: unknown) => void): () => void {
  let running = false
  let again = false
  const run = (): void => {
    if (running) {
      again = true
      return
    }
    running = true
    void task()
      .catch(onError)
      .finally(() => {
        running = false
        if (again) {
          again = false
          run()
        }
      })
  }
  return run
}

export interface Throttled {
  /** Calls the function `delayMs` from the first request not yet served; later ones join it. */
  request(): void
  cancel(): void
}

/** Throttled, not debounced: a steady stream of requests must not postpone the call forever. */
export function throttled(fn: () => void, delayMs: number): Throttled {
  let timer: number | undefined
  return {
    request() {
      timer ??= window.setTimeout(() => {
        timer = undefined
        fn()
      }, delayMs)
    },
    cancel() {
      window.clearTimeout(timer)
    },
  }
}
