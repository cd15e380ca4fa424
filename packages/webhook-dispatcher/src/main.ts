/** Entry point: env config, start, bounded graceful shutdown on SIGTERM / SIGINT. */
import { createLogger, runService } from '@event-analytics/ops'
import { loadDispatcherConfig } from './config.js'
import { createDispatcher } from './dispatcher.js'

const config = loadDispatcherConfig()
const logger = createLogger('webhook-dispatcher', config.logLevel)
await runService(createDispatcher(config, { logger }), {
  logger,
  ...(config.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: config.shutdownTimeoutMs }),
})
