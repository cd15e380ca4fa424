/**
 * The services' shared runtime: how a service process runs and is watched (lifecycle, ops
 * port), is configured (env parsers), logs, retries, and talks to Redis (the one client
 * factory, the queue Redis check, the cache's fill guard and invalidation). What the services
 * merely agree on, without I/O, is `@event-analytics/contracts`.
 */
export { runService, closeWithin, DEFAULT_SHUTDOWN_TIMEOUT_MS } from './lifecycle.js'
export type { ServiceLifecycle, RunServiceOptions } from './lifecycle.js'
export * from './ops-server.js'
export * from './config.js'
export * from './logger.js'
export * from './retry.js'
export * from './periodic.js'
export * from './node-options.js'
export * from './redis-reconnect.js'
export * from './redis-connection.js'
export * from './queue-redis.js'
export * from './cache-protocol.js'
export * from './startup.js'
export * from './service-variables.js'
export * from './config-reference.js'
export * from './webhook-target.js'
export * from './webhook-signature.js'
