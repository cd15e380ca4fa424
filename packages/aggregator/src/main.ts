/** Entry point: env config, start, bounded graceful shutdown on SIGTERM / SIGINT. */
import { runService, createLogger } from '@event-analytics/ops'
import { createAggregator } from './aggregator.js'
import { loadAggregatorConfig } from './config.js'

const config = loadAggregatorConfig()
const logger = createLogger('aggregator', config.logLevel)
await runService(createAggregator(config, { logger }), {
  logger,
  ...(config.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: config.shutdownTimeoutMs }),
})
