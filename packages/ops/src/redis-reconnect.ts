/**
 * The services' ioredis `retryStrategy`: ioredis 5's cadence, 50 ms more per attempt and at
 * most 2 s. ioredis 6 backs off exponentially to 5 s (plus jitter) by default, which would let a
 * service notice a restarted Redis up to three seconds later than it did before the upgrade.
 * BullMQ gives the connections it creates itself a strategy of its own; this is for the clients
 * the services construct.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(attempt * 50, 2000)
}
