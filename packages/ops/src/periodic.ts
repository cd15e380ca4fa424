/**
 * The one timer loop of the services: work repeated every `intervalMs`, one run at a time. A tick
 * that finds the last run still going is skipped, never queued. Queued runs would pile up behind a
 * slow dependency (a loaded broker, a database that stalls: one more per tick), run back to back
 * long after it recovered, and hold stop() until the last of them ended.
 */

export interface PeriodicOptions {
  /** Time between ticks, ms. A run longer than this delays the next run to the first tick after it. */
  readonly intervalMs: number
  /** Told what a run threw; the loop goes on at the next tick. */
  readonly onError: (error: unknown) => void
}

export interface Periodic {
  /** Stops the ticks; resolves once the run in flight, if any, has ended. No run starts after it was called. */
  stop(): Promise<void>
}

/** Starts ticking now (the first run one interval from now). The timer does not keep the process alive. */
export function runEvery(task: () => Promise<void>, options: PeriodicOptions): Periodic {
  let running: Promise<void> | undefined
  const timer = setInterval(() => {
    if (running !== undefined) return
    running = task()
      .catch(options.onError)
      .finally(() => (running = undefined))
  }, options.intervalMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
