/**
 * One in-flight load per key within this process: concurrent callers of the same key share
 * the first caller's promise. Across processes each API instance loads once per key.
 */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>()

  /** Runs `load` unless a call for `key` is already running; `shared` tells which happened. */
  async run(key: string, load: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
    const running = this.inFlight.get(key)
    if (running !== undefined) return { value: await running, shared: true }
    const started: Promise<T> = load().finally(() => {
      // Only its own entry: after forget(key) a newer call may run under the same key.
      if (this.inFlight.get(key) === started) this.inFlight.delete(key)
    })
    this.inFlight.set(key, started)
    return { value: await started, shared: false }
  }

  /** Callers of `key` from now on start a load of their own (the running one read too early). */
  forget(key: string): void {
    this.inFlight.delete(key)
  }

  get size(): number {
    return this.inFlight.size
  }
}
