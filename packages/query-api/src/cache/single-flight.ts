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
    const started = load().finally(() => this.inFlight.delete(key))
    this.inFlight.set(key, started)
    return { value: await started, shared: false }
  }

  get size(): number {
    return this.inFlight.size
  }
}
