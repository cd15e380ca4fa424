/** Periodic passes (pairing, sweep): one at a time each, a failure logged and the pass run again next time. */
import { runEvery, type Logger, type Periodic } from '@event-analytics/ops'

export class Passes {
  private readonly loops: Periodic[] = []

  constructor(private readonly logger: Logger) {}

  /** Runs `pass` once now; never rejects. */
  run(name: string, pass: () => Promise<void>): Promise<void> {
    return pass().catch((error: unknown) => this.failed(name, error))
  }

  every(name: string, intervalMs: number, pass: () => Promise<void>): void {
    this.loops.push(runEvery(pass, { intervalMs, onError: (error) => this.failed(name, error) }))
  }

  /** Stops the timers and waits for the passes in flight. */
  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()))
  }

  private failed(name: string, error: unknown): void {
    this.logger.warn({ err: error }, `${name} failed; run again at the next interval`)
  }
}
