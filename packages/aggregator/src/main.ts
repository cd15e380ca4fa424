/** Entry point: env config, start, graceful shutdown on SIGTERM / SIGINT. */
import { createLogger } from '@event-analytics/contracts'
import { createAggregator } from './aggregator.js'
import { loadAggregatorConfig } from './config.js'

const config = loadAggregatorConfig()
const logger = createLogger('aggregator', config.logLevel)
const aggregator = createAggregator(config, { logger })

let shuttingDown = false
function shutdown(signal: string): void {
  if (shuttingDown) return
  shuttingDown = true
  logger.info({ signal }, 'shutting down: finishing the in-flight batch')
  aggregator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    },
  )
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))

try {
  await aggregator.start()
} catch (error) {
  logger.fatal({ err: error }, 'aggregator failed to start')
  await aggregator.close().catch(() => undefined)
  process.exit(1)
}
