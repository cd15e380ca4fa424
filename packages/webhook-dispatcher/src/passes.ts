/** Periodic passes (pairing, sweep): one at a time each, a failure logged and the pass run again next time. */
import type { Logger } from '@event-analytics/ops'

export class Passes {
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly running = new Set<Promise<void>>()

  constructor(private readonly logger: Logger) {}

  /** Runs `pass` once now; never rejects. */
  run(name: string, pass: () => Promise<void>): Promise<void> {
    return pass().catch((error: unknown) => this.logger.warn({ err: error }, `${name} failed; run again at the next interval`))
  }

  every(name: string, intervalMs: number, pass: () => Promise<void>): void {
    let busy = false
    const timer = setInterval(() => {
      if (busy) return
      busy = true
      const run = this.run(name, pass).finally(() => {
        busy = false
        this.running.delete(run)
      })
      this.running.add(run)
    }, intervalMs)
    timer.unref()
    this.timers.add(timer)
  }

  /** Stops the timers and waits for the passes in flight. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    await Promise.allSettled([...this.running])
  }
}
